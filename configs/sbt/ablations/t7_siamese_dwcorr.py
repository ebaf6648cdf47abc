# Table 7 setting 4 (Siamese-style): SBT-base without EoC-CA blocks (the
# template path is computed once per video), depth-wise correlation of the
# stage-3 blocks 6, 8, 10 aggregated layer-wise, the Mix-MLP heads on the
# response. GOT-10k AO 60.1 in the paper (vs 65.0 correlation-embedded).
_base_ = ['../sbt-base_got10k.py']

model = dict(
    type='SiameseTracker',
    backbone=dict(ca_positions=[], out_blocks=[6, 8, 10]),
    neck=dict(
        type='LayerwiseCorrelation', in_channels=320, num_levels=3,
        channels=320))
