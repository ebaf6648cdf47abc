# SBT-base with its five EoC-CA blocks last in stage 3 (Siamese-style
# extraction first, then correlation); Fig. 4(c)/(f).
_base_ = ['../sbt-base_got10k.py']

model = dict(backbone=dict(ca_positions=[6, 7, 8, 9, 10]))
