# TransInMo (InBN, Guo et al. IJCAI 2022): Swin-T as a two-stream backbone
# with target-aware cross-attention in the last block of each stage, the
# four stage outputs fused to one 256-channel stride-8 map, depth-wise
# correlation and TransT's 3-layer MLP heads on the 32 x 32 search map.
model = dict(
    type='SiameseTracker',
    data_preprocessor=dict(
        type='SOTDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='InMoSwin',
        arch='tiny',
        window_size=7,
        tca_stages=(1, 2, 3, 4),
        window_process=True,
        fuse_channels=256,
        drop_path_rate=0.2,
        template_size=128,
        search_size=256,
        # a local timm or original swin_tiny_patch4_window7_224 checkpoint
        pretrained=None),
    neck=dict(type='DepthwiseCorrelation', in_channels=256, channels=256),
    head=dict(
        type='TransTHead',
        in_channels=256,
        feat_channels=256,
        branch='mlp',
        num_layers=3,
        # the reference code: L1 on xyxy and CIoU, summed over the positive
        # cells and divided by the cells of the map; CE with background
        # weight 0.0625; weights 2 / 3 / 1
        l1_format='xyxy',
        box_normalizer='cells',
        loss_cls=dict(
            type='CrossEntropyLoss', class_weight=[1.0, 0.0625],
            loss_weight=2.0),
        loss_bbox=dict(type='L1Loss', loss_weight=3.0, sum_coords=True),
        loss_iou=dict(type='IoULossFamily', mode='ciou', loss_weight=1.0)),
    # TransT's tracking: np.hanning window blended at 0.49, size penalty and
    # size update per benchmark (`transinmo_test_cfg` in the test bases);
    # these are GOT-10k's
    test_cfg=dict(
        template_factor=2.0,
        template_size=128,
        search_factor=4.0,
        search_size=256,
        window=dict(
            type='HanningWindow', mode='blend', influence=0.49,
            form='numpy'),
        size_penalty=dict(type='SizeChangePenalty', k=0.049),
        size_lr=1.0,
        clip_margin=10))
