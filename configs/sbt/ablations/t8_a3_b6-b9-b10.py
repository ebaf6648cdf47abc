# Table 8 A3: EoC-CA at stage-3 blocks 6, 9, 10. GOT-10k AO 63.2.
_base_ = ['../sbt-base_got10k.py']

model = dict(backbone=dict(ca_positions=[6, 9, 10]))
