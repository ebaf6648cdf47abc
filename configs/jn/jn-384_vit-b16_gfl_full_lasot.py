# JN-384 on the full training data (180 epochs), tested on LaSOT: 192 px
# templates, 384 px search areas at 5x the target side (the target is
# 76.8 px in both crops). Batch 56
# (the paper: 2 GPUs x 28): tools/dist_train.sh THIS_CONFIG 4 (4 x 14).
_base_ = ['./jn-256_vit-b16_gfl_full_lasot.py']

template_size = 192
template_factor = 2.5
search_size = 384
search_factor = 5.0
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
        # OSTrack-384's 4.5 for factor 5
        center_jitter=4.5),
    dict(type='CheckPaddingValidity', stride=16),
    dict(type='JointGrayscale', prob=0.05),
    dict(type='JointFlip', prob=0.5),
    dict(type='BrightnessJitter', factor=0.2),
    dict(type='PackSOTInputs'),
]
train_dataloader = dict(batch_size=14, dataset=dict(pipeline=train_pipeline))
auto_scale_lr = dict(base_batch_size=56)
