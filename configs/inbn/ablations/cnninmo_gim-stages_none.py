# No GIM at all: the SiamCAR baseline of Table 2 (same data and schedule).
_base_ = ['../cnninmo_r50_full_lasot.py']

model = dict(backbone=dict(gim_stages=()))
