# OSTrack-style one-stream tracker: ViT-B/16 backbone, centre head.
model = dict(
    type='OneStreamTracker',
    data_preprocessor=dict(
        type='SOTDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='OneStreamViT',
        template_size=128,
        search_size=256,
        patch_size=16,
        embed_dim=768,
        depth=12,
        num_heads=12,
        mlp_ratio=4.,
        qkv_bias=True,
        drop_path_rate=0.1,
        # a local MAE checkpoint, e.g. 'pretrained/mae_pretrain_vit_base.pth'
        pretrained=None),
    head=dict(
        type='CenterHead',
        in_channels=768,
        feat_channels=256,
        num_convs=4,
        loss_heatmap=dict(type='GaussianFocalLoss', loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=5.0),
        loss_iou=dict(type='GIoULoss', loss_weight=2.0)),
    test_cfg=dict(
        template_factor=2.0,
        template_size=128,
        search_factor=4.0,
        search_size=256,
        window=dict(type='HanningWindow', mode='multiply'),
        clip_margin=10))
