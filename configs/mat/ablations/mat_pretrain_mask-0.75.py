# Table 5: masking ratio 0.75 (default 0.25). Train the tracker on its
# checkpoint with ../mat_track_vit-b16_frozen_full_lasot.py.
_base_ = ['../mat_pretrain_vit-b16_full.py']

model = dict(mask_ratio=0.75)
