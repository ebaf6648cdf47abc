# SBT-base with its five EoC-CA blocks first in stage 3 (separated: CA
# then SA), against the interleaved base (2, 4, 6, 8, 10); Fig. 4(f).
_base_ = ['../sbt-base_got10k.py']

model = dict(backbone=dict(ca_positions=[1, 2, 3, 4, 5]))
