# The MAT tracker, fine-tuning protocol (MAT Tables 1-4 "fine-tune",
# Fig. 4 N = 12): every encoder block trained at 0.1 x the base lr (the
# fixed sin-cos positions stay fixed).
_base_ = ['./mat_track_vit-b16_frozen_full_lasot.py']

model = dict(frozen_modules=[])
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys=dict(backbone=dict(lr_mult=0.1))))
