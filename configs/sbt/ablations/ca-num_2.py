# Fig. 4(d), number of EoC-CA blocks: two, at stage-3 blocks 8 and 10.
_base_ = ['../sbt-base_got10k.py']

model = dict(backbone=dict(ca_positions=[8, 10]))
