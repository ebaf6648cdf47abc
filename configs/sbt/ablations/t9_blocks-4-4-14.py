# Table 9 B2 (the paper's best block pattern, GOT-10k AO 64.0): 4 / 4 / 14
# blocks per stage, EoC-CA interleaved (every second block of stage 3).
# Other rows: set depths and ca_positions the same way.
_base_ = ['../sbt-base_got10k.py']

model = dict(
    backbone=dict(depths=(4, 4, 14), ca_positions=[2, 4, 6, 8, 10, 12, 14]))
