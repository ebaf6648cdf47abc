# Table 8 A1 (= Table 7 setting 7, correlation embedded): three EoC-CA
# blocks at stage-3 blocks 6, 8, 10. GOT-10k AO 65.0 in the paper.
_base_ = ['../sbt-base_got10k.py']

model = dict(backbone=dict(ca_positions=[6, 8, 10]))
