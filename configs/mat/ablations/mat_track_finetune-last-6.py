# Fig. 4: partial fine-tuning, the last 6 encoder block(s) and the final
# norm trained at 0.1 x the base lr, the rest frozen (N = 0 is
# ../mat_track_vit-b16_frozen_full_lasot.py, N = 12
# ../mat_track_vit-b16_finetune_full_lasot.py).
_base_ = ['../mat_track_vit-b16_frozen_full_lasot.py']

model = dict(trainable_modules=[
    f'backbone.blocks.{i}' for i in range(6, 12)] + ['backbone.norm'])
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys=dict(backbone=dict(lr_mult=0.1))))
