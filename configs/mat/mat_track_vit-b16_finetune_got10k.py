# GOT-10k one-shot protocol, fine-tuning (Table 3 "Ours_fine-tune*").
_base_ = ['./mat_track_vit-b16_frozen_got10k.py']

model = dict(frozen_modules=[])
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys=dict(backbone=dict(lr_mult=0.1))))
