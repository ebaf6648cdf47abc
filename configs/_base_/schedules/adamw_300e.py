# OSTrack recipe: AdamW 4e-4 (batch 128), backbone lr x0.1, wd 1e-4,
# grad-clip 0.1, lr x0.1 at 80% of training.
max_epochs = 300
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=max_epochs + 1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=4e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1),
    paramwise_cfg=dict(custom_keys=dict(backbone=dict(lr_mult=0.1))))
param_scheduler = [
    dict(type='MultiStepLR', milestones=[240], gamma=0.1, by_epoch=True)
]
# the learning rate above is for this total batch size
auto_scale_lr = dict(enable=False, base_batch_size=128)
