# The tiny MAT tracker with the encoder fine-tuned at 0.1 x the base lr
# (MAT's fine-tuning protocol); the same pre-trained checkpoint option:
#   --cfg-options model.backbone.pretrained=PRETRAIN_WORK_DIR/epoch_N.pth
_base_ = ['./mat_track_vit-tiny_synthetic.py']

model = dict(frozen_modules=[])
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys=dict(backbone=dict(lr_mult=0.1))))
