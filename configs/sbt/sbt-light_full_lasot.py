# SBT-light (Table 2: dims 32/64/160, depths 2/2/6, EoC-CA at stage-3
# blocks 2, 4, 6) with 160-channel Mix-MLP heads; otherwise as
# sbt-base_full_lasot.py.
_base_ = ['./sbt-base_full_lasot.py']

model = dict(
    backbone=dict(arch='light'),
    head=dict(in_channels=160, feat_channels=160, hidden_tokens=160))
