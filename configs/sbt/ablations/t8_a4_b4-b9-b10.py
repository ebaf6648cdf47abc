# Table 8 A4: EoC-CA at stage-3 blocks 4, 9, 10. GOT-10k AO 64.6.
_base_ = ['../sbt-base_got10k.py']

model = dict(backbone=dict(ca_positions=[4, 9, 10]))
