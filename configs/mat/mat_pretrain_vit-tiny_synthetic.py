# MAT pre-training on the tiny CPU budget (trains through
# tools/quickstart.py --config in 10 minutes on 2 cores and reports the
# reconstruction loss): a 4-block 192-d ViT with 8 px patches from scratch
# (mimetic attention init), 48 px templates (2w x 2h) and 96 px search areas
# (additive context, factor 4: a 6 x 6 and a 12 x 12 grid), a 2-block 128-d
# decoder; MAT's masking (25 %), sampler
# (frames anywhere in a video) and augmentations.
# The tiny trackers take its checkpoint:
#   --cfg-options model.backbone.pretrained=WORK_DIR/epoch_N.pth
_base_ = [
    '../_base_/models/mat_pretrain_vit-b16.py',
    '../_base_/datasets/mat_pretrain.py',
    '../_base_/default_runtime.py',
]

template_size = 48
search_size = 96
pad_value = [103.53, 116.28, 123.675]
model = dict(
    backbone=dict(
        template_size=template_size,
        search_size=search_size,
        patch_size=8,
        embed_dim=192,
        depth=4,
        num_heads=6,
        attn_init='mimetic'),
    decoder=dict(embed_dim=128, depth=2, num_heads=4))

train_pipeline = [
    dict(type='LoadFrames'),
    dict(
        type='SearchAreaCrop',
        search_factor=4.0,
        search_size=search_size,
        scale_jitter=0.25,
        center_jitter=3.0,
        crop_mode='additive',
        roles=dict(
            template=dict(
                factor=2.0, size=template_size, crop_mode='non_square')),
        pad_value=pad_value),
    dict(type='CheckPaddingValidity', stride=8),
    dict(type='ColorJitter', brightness=0.2, contrast=0.2, saturation=0.2),
    dict(type='MotionBlur', prob=0.2, kernel_size=(3, 7),
         roles=['template']),
    dict(
        type='CropTargetFromSearch',
        factor=2.0,
        size=template_size,
        crop_mode='non_square',
        pad_value=pad_value),
    dict(type='JointFlip', prob=0.5, roles=['search', 'transfer_target']),
    dict(type='PackSOTInputs'),
]
max_epochs = 30
train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        datasets=[dict(type='GOT10kDataset', data_root='data/synthetic',
                       split='train')],
        dataset_weights=[1.0],
        samples_per_epoch=3200,
        pipeline=train_pipeline))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
optim_wrapper = dict(
    type='AutocastOptimWrapper',
    dtype='bfloat16',
    optimizer=dict(type='AdamW', lr=5e-4, weight_decay=0.05),
    clip_grad=dict(max_norm=1.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.05, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5,
         by_epoch=True, begin=0, end=max_epochs, convert_to_iter_based=True),
]
default_hooks = dict(
    checkpoint=dict(interval=1, max_keep_ckpts=2),
    logger=dict(interval=10))
