# Small Siamese tracker for CPU: ResNet-18 to stride 8 (shared by template and
# search), depth-wise correlation, corner head; 64 px templates, 128 px search.
_base_ = [
    '../_base_/models/siamese_r50_dwcorr_corner.py',
    '../_base_/datasets/synthetic.py',
    '../_base_/default_runtime.py',
]

template_size = 64
search_size = 128
model = dict(
    backbone=dict(depth=18, out_stage=2, frozen_stages=-1, norm_eval=False),
    neck=dict(in_channels=128, channels=128),
    head=dict(in_channels=128, feat_channels=128),
    test_cfg=dict(
        template_size=template_size,
        search_size=search_size,
        template_factor=2.0,
        search_factor=4.0))

max_epochs = 30
train_dataloader = dict(batch_size=32, dataset=dict(samples_per_epoch=3200))
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs,
    val_interval=max_epochs + 1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5,
         by_epoch=True, begin=0, end=max_epochs, convert_to_iter_based=True)
]
