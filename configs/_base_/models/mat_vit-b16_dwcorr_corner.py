# The MAT tracker: the pre-trained one-stream encoder (no masking), a
# linear projection to 256 channels and a depth-wise correlation of the
# 7 x 7 template map over the 14 x 14 search map, STARK's corner head
# (GIoU 2 + L1 5), and no tracking hyper-parameters (no window, no size
# smoothing; only the reported box is clipped to the frame). Load the
# encoder from a MAT pre-training checkpoint:
#   --cfg-options model.backbone.pretrained=work_dirs/mat_pretrain/epoch_500.pth
# (random init without it).
model = dict(
    type='OneStreamTracker',
    data_preprocessor=dict(
        type='SOTDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='OneStreamViT',
        template_size=112,
        search_size=224,
        patch_size=16,
        embed_dim=768,
        depth=12,
        num_heads=12,
        mlp_ratio=4.,
        qkv_bias=True,
        drop_path_rate=0.,
        use_cls_token=True,
        pos_embed='sincos',
        template_patch_embed=True,
        pretrained=None,
        # a MAT pre-training checkpoint: the encoder under `backbone.`
        pretrained_format='mmengine',
        pretrained_prefix='backbone.'),
    neck=dict(
        type='DepthwiseCorrelation',
        in_channels=768,
        channels=256,
        kernel_size=7,
        proj_norm=False),
    head=dict(
        type='CornerHead',
        in_channels=256,
        feat_channels=256,
        num_convs=4,
        loss_bbox=dict(type='L1Loss', loss_weight=5.0),
        loss_iou=dict(type='GIoULoss', loss_weight=2.0)),
    # the freezing protocol (MAT's released tracker config); the
    # fine-tuning configs override this
    frozen_modules=['backbone'],
    test_cfg=dict(
        template_factor=2.0,
        template_size=112,
        search_factor=4.0,
        search_size=224,
        crop_mode='additive',
        # ImageNet mean colour (BGR px)
        pad_value=[103.53, 116.28, 123.675],
        window=None,
        size_lr=1.0,
        clip_state=False,
        clip_margin=10))
