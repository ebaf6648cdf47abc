# The MAT tracker, freezing protocol (MAT Tables 1-2, 5-8: the encoder
# frozen, ~2 M trainable parameters in the projection and the corner head):
# 300 epochs x 6,400 pairs, AdamW lr 1e-4 (batch 128), weight decay 1e-4,
# lr x0.1 after epoch 240; tested on LaSOT (the same tracker on every
# benchmark: MAT has no tracking hyper-parameters). 4 GPUs x 32:
#   tools/dist_train.sh THIS_CONFIG 4 --cfg-options \
#     model.backbone.pretrained=work_dirs/mat_pretrain_vit-b16_full/epoch_500.pth
_base_ = [
    '../_base_/models/mat_vit-b16_dwcorr_corner.py',
    '../_base_/datasets/mat_track_train.py',
    '../_base_/datasets/test_lasot.py',
    '../_base_/default_runtime.py',
]

max_epochs = 300
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=max_epochs + 1)
val_cfg = None
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='AmpOptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4))
param_scheduler = [
    dict(type='MultiStepLR', milestones=[240], gamma=0.1, by_epoch=True)
]
auto_scale_lr = dict(enable=False, base_batch_size=128)
