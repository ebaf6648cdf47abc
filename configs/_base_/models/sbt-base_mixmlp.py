# SBT tracker (Xie et al., CVPR 2022): the single-branch transformer
# (three-stage SBT-base, EoC-CA at stage-3 blocks 2, 4, 6, 8, 10, stride 8)
# and the Mix-MLP classification / box heads on its 32 x 32 search map;
# tracking blends a np.hanning window (influence 0.49) into the target
# probability, no size penalty, no smoothing.
model = dict(
    type='OneStreamTracker',
    data_preprocessor=dict(
        type='SOTDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='SBT',
        arch='base',
        drop_path_rate=0.1,
        template_size=128,
        search_size=256,
        # a local timm / PVT pvt_v2_b* checkpoint (SBT's ImageNet
        # initialisation: pvt_v2_b3 for base and large)
        pretrained=None),
    head=dict(
        type='TransTHead',
        in_channels=320,
        feat_channels=320,
        branch='mix_mlp',
        num_layers=2,
        feat_size=32,  # 256 px / stride 8
        hidden_tokens=320,
        # the released SBT weights (CE 120, L1 70, GIoU 50: TransT's ratios
        # x ~14, with the gradient clipped at 0.1); the background class
        # weighs 0.0625
        loss_cls=dict(
            type='CrossEntropyLoss', class_weight=[1.0, 0.0625],
            loss_weight=120.0),
        loss_bbox=dict(type='L1Loss', loss_weight=70.0, sum_coords=True),
        loss_iou=dict(type='GIoULoss', loss_weight=50.0)),
    test_cfg=dict(
        template_factor=2.0,
        template_size=128,
        search_factor=5.0,
        search_size=256,
        window=dict(
            type='HanningWindow', mode='blend', influence=0.49,
            form='numpy'),
        clip_margin=10))
