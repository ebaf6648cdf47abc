# CNNInMo with GIMs after stages 3 and 4 only (which stages interact).
_base_ = ['../cnninmo_r50_full_lasot.py']

model = dict(backbone=dict(gim_stages=(3, 4)))
