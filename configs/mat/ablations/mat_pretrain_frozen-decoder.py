# Table 6 "-DE": the MAE decoder is not tuned (kept at its MAE weights).
_base_ = ['../mat_pretrain_vit-b16_full.py']

model = dict(frozen_modules=['decoder'])
