# Fig. 4(d), number of EoC-CA blocks: one, at stage-3 block 10 (three:
# t8_a1_b6-b8-b10.py; five: the base config).
_base_ = ['../sbt-base_got10k.py']

model = dict(backbone=dict(ca_positions=[10]))
