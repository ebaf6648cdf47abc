# JN-256 trained on GOT-10k + LaSOT + TrackingNet + COCO for 180 epochs
# (lr x0.1 for the last 10 %), tested on LaSOT with OSTrack's evaluation.
# Batch 64: tools/dist_train.sh THIS_CONFIG 4. Other benchmarks: replace
# test_lasot.py by test_{lasot_ext,tnl2k,nfs,otb100,uav123,trackingnet}.py.
_base_ = [
    '../_base_/models/jn_vit-b16_gfl.py',
    '../_base_/datasets/sot_full_train.py',
    '../_base_/datasets/test_lasot.py',
    '../_base_/schedules/adamw_300e.py',
    '../_base_/default_runtime.py',
]

template_size = 144
template_factor = 2.25
search_size = 256
search_factor = 4.0
# the target is 64 px in both crops: template factor 144 / 64
model = dict(
    backbone=dict(template_size=template_size, search_size=search_size),
    test_cfg=dict(
        template_factor=template_factor,
        template_size=template_size,
        search_factor=search_factor,
        search_size=search_size))
train_pipeline = [
    dict(type='LoadFrames'),
    dict(
        type='SearchAreaCrop',
        template_factor=template_factor,
        template_size=template_size,
        search_factor=search_factor,
        search_size=search_size,
        scale_jitter=0.25,
        center_jitter=3.0),
    dict(type='CheckPaddingValidity', stride=16),
    dict(type='JointGrayscale', prob=0.05),
    dict(type='JointFlip', prob=0.5),
    dict(type='BrightnessJitter', factor=0.2),
    dict(type='PackSOTInputs'),
]
train_dataloader = dict(
    batch_size=16,
    dataset=dict(
        pipeline=train_pipeline,
        frame_sampler=dict(positive_ratio=0.7)))

max_epochs = 180
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs + 1)
val_cfg = None
optim_wrapper = dict(optimizer=dict(lr=2e-4, weight_decay=1e-4))
param_scheduler = [
    dict(type='MultiStepLR', milestones=[162], gamma=0.1, by_epoch=True)
]
auto_scale_lr = dict(base_batch_size=64)
