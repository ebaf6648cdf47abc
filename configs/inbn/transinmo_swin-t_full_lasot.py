# TransInMo on GOT-10k + LaSOT + TrackingNet + COCO (the paper's training
# splits; the reference code adds YouTube-BB, VID, DET and TNL2K): 100
# epochs of 600k pairs (the sum of the reference's per-dataset counts),
# 20 % negative pairs, TransT's crops (128 px templates at factor 2, 256 px
# search areas at factor 4, jitter 0.25 / 3); AdamW lr 5e-4, weight decay
# 1e-4, lr x 0.316 every 20 epochs, backbone lr x 0.1 (the fusion layers
# x 1); tested on LaSOT with TransInMo's LaSOT hyper-parameters.
# 4 GPUs x 32 = batch 128: tools/dist_train.sh THIS_CONFIG 4
# Other benchmarks: replace test_lasot.py by test_{tnl2k,nfs,otb100,uav123,
# trackingnet}.py; their hyper-parameters come with them.
_base_ = [
    '../_base_/models/transinmo_swin-t.py',
    '../_base_/datasets/sot_full_train.py',
    '../_base_/datasets/test_lasot.py',
    '../_base_/schedules/adamw_300e.py',
    '../_base_/default_runtime.py',
]

model = dict(test_cfg=_base_.transinmo_test_cfg)
train_pipeline = [
    dict(type='LoadFrames'),
    dict(
        type='SearchAreaCrop',
        template_factor=2.0,
        template_size=128,
        search_factor=4.0,
        search_size=256,
        scale_jitter=0.25,
        center_jitter=3.0),
    dict(type='CheckPaddingValidity', stride=8),
    dict(type='JointGrayscale', prob=0.05),
    dict(type='JointFlip', prob=0.5),
    dict(type='BrightnessJitter', factor=0.2),
    dict(type='PackSOTInputs'),
]
train_dataloader = dict(
    batch_size=32,
    dataset=dict(
        samples_per_epoch=600000,
        frame_sampler=dict(max_gap=100, positive_ratio=0.8),
        pipeline=train_pipeline))
max_epochs = 100
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(
    optimizer=dict(lr=5e-4, weight_decay=1e-4),
    paramwise_cfg=dict(
        custom_keys={
            'backbone': dict(lr_mult=0.1),
            'backbone.stage_norms': dict(lr_mult=1.0),
            'backbone.lateral': dict(lr_mult=1.0),
            'backbone.fuse': dict(lr_mult=1.0)
        }))
param_scheduler = [
    dict(type='MultiStepLR', milestones=[20, 40, 60, 80], gamma=0.316,
         by_epoch=True)
]
auto_scale_lr = dict(base_batch_size=128)
val_cfg = None
