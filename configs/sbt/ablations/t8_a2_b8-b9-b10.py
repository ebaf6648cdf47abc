# Table 8 A2: EoC-CA at stage-3 blocks 8, 9, 10. GOT-10k AO 61.0.
_base_ = ['../sbt-base_got10k.py']

model = dict(backbone=dict(ca_positions=[8, 9, 10]))
