# Fig. 4(d), number of EoC-CA blocks: four, at stage-3 blocks 4, 6, 8, 10.
_base_ = ['../sbt-base_got10k.py']

model = dict(backbone=dict(ca_positions=[4, 6, 8, 10]))
