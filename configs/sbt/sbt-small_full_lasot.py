# SBT-small (Table 2: dims 64/128/320, depths 2/2/6, EoC-CA at stage-3
# blocks 2, 4, 6); otherwise as sbt-base_full_lasot.py (the paper gives no
# separate schedule for the smaller variants).
_base_ = ['./sbt-base_full_lasot.py']

model = dict(backbone=dict(arch='small'))
