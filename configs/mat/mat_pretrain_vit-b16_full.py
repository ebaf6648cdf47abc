# MAT pre-training of ViT-B/16 (MAT Sec. 4.3): 500 epochs x 6,400 pairs,
# AdamW lr 1e-4 (batch 128), weight decay 0.05, lr x0.1 after epoch 200,
# mixed precision. Paper: 2 GPUs x 32 pairs x 2 accumulation steps;
# here 4 GPUs x 32 (tools/dist_train.sh THIS_CONFIG 4), or 2 GPUs with
# --cfg-options optim_wrapper.accumulative_counts=2.
# Initialise from MAE: --cfg-options
#   model.backbone.pretrained=pretrained/mae_pretrain_vit_base_full.pth
#   model.decoder.pretrained=pretrained/mae_pretrain_vit_base_full.pth
_base_ = [
    '../_base_/models/mat_pretrain_vit-b16.py',
    '../_base_/datasets/mat_pretrain.py',
    '../_base_/default_runtime.py',
]

max_epochs = 500
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
optim_wrapper = dict(
    type='AmpOptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.05))
param_scheduler = [
    dict(type='MultiStepLR', milestones=[200], gamma=0.1, by_epoch=True)
]
auto_scale_lr = dict(enable=False, base_batch_size=128)
# the tracker configs take `model.backbone.pretrained` from here
default_hooks = dict(checkpoint=dict(interval=50, max_keep_ckpts=2))
