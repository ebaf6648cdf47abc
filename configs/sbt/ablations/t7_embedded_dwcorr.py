# Table 7 setting 8: correlation embedded (EoC-CA at stage-3 blocks 6, 8,
# 10) and the depth-wise correlation of those blocks' outputs aggregated
# layer-wise on top. GOT-10k AO 65.9 in the paper.
_base_ = ['../sbt-base_got10k.py']

model = dict(
    type='SiameseTracker',
    backbone=dict(ca_positions=[6, 8, 10], out_blocks=[6, 8, 10]),
    neck=dict(
        type='LayerwiseCorrelation', in_channels=320, num_levels=3,
        channels=320))
