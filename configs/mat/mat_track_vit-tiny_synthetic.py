# The MAT tracker on the tiny CPU budget, freezing protocol (trains through
# tools/quickstart.py --config in 10 minutes on 2 cores): the encoder of
# mat_pretrain_vit-tiny_synthetic.py, frozen, with the linear projection +
# depth-wise correlation and the corner head trained; no tracking
# hyper-parameters. Give it the pre-trained encoder with
#   --cfg-options model.backbone.pretrained=PRETRAIN_WORK_DIR/epoch_N.pth
# (without it the frozen encoder is randomly initialised: the baseline of
# the MAT claim).
_base_ = ['../onestream/onestream_vit-tiny-p8_center_synthetic.py']

template_size = 48
search_size = 96
pad_value = [103.53, 116.28, 123.675]
model = dict(
    backbone=dict(
        _delete_=True,
        type='OneStreamViT',
        template_size=template_size,
        search_size=search_size,
        patch_size=8,
        embed_dim=192,
        depth=4,
        num_heads=6,
        attn_init='mimetic',
        drop_path_rate=0.,
        use_cls_token=True,
        pos_embed='sincos',
        template_patch_embed=True,
        pretrained=None,
        pretrained_format='mmengine',
        pretrained_prefix='backbone.'),
    neck=dict(
        type='DepthwiseCorrelation',
        in_channels=192,
        channels=64,
        kernel_size=7,
        proj_norm=False),
    head=dict(
        _delete_=True,
        type='CornerHead',
        in_channels=64,
        feat_channels=64,
        num_convs=4),
    frozen_modules=['backbone'],
    test_cfg=dict(
        _delete_=True,
        template_factor=2.0,
        template_size=template_size,
        search_factor=4.0,
        search_size=search_size,
        crop_mode='additive',
        pad_value=pad_value,
        window=None,
        size_lr=1.0,
        clip_state=False,
        clip_margin=10))

train_pipeline = [
    dict(type='LoadFrames'),
    dict(
        type='SearchAreaCrop',
        template_factor=2.0,
        template_size=template_size,
        search_factor=4.0,
        search_size=search_size,
        scale_jitter=0.25,
        center_jitter=3.0,
        crop_mode='additive',
        pad_value=pad_value),
    dict(type='CheckPaddingValidity', stride=8),
    dict(type='ColorJitter', brightness=0.2, contrast=0.2, saturation=0.2),
    dict(type='GaussianBlur', prob=0.5, sigma=(0.2, 1.0)),
    dict(type='JointFlip', prob=0.5, roles=['search']),
    dict(type='PackSOTInputs'),
]
train_dataloader = dict(
    dataset=dict(
        pipeline=train_pipeline,
        frame_sampler=dict(mode='symmetric', max_gap=50)))
