# CNNInMo (InBN, Guo et al. IJCAI 2022): SiamCAR with a GIM after every
# stage of the search branch. ResNet-50 with dilated stages 3-4 (stride 8),
# stages 2-4 adjusted to 256 channels, each correlated depth-wise (valid)
# with the central 8 x 8 cells of its template map, concatenated and fused
# to 256 (SiamCAR's neck); the CAR head on the 25 x 25 response.
# torchvision's ResNet pads its first conv (SiamCAR's does not): a 127 px
# template gives a 16 x 16 map, whose central 8 x 8 cells play SiamCAR's
# 7 x 7 of 15 x 15, and a 255 px search area the same 25 x 25 response.
model = dict(
    type='SiameseTracker',
    data_preprocessor=dict(
        type='SOTDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='InMoResNet',
        depth=50,
        out_stage=4,
        dilated_stages=(3, 4),
        out_levels=(2, 3, 4),
        # SiamCAR trains stages 2-4 (and every GIM)
        frozen_stages=1,
        norm_eval=True,
        gim_stages=(1, 2, 3, 4),
        # the paper's GIM: CSA then TCA, 7 x 7 windows, softmax attention;
        # the reference code's: modules=('tca', 'csa'), window_size=8,
        # attention='query_softmax'
        gim=dict(modules=('csa', 'tca'), window_size=7),
        # a local torchvision ResNet-50 ImageNet checkpoint
        pretrained=None),
    neck=dict(
        type='MultiLevelDepthwiseCorrelation',
        in_channels=[512, 1024, 2048],
        channels=256,
        template_crop=8),
    head=dict(
        type='CARHead',
        in_channels=256,
        num_convs=4,
        stride=8,
        search_size=255,
        loss_cls=dict(type='CrossEntropyLoss', loss_weight=1.0),
        loss_bbox=dict(type='IoULoss', loss_weight=3.0),
        loss_centerness=dict(
            type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0)),
    # SiamCAR's tracking: pysot crops (context 0.5, mean-colour padding),
    # penalty x score x window, size update penalty x score x lr; the
    # per-benchmark values are `siamcar_test_cfg` in the test bases
    # (configs/_base_/datasets/test_*.py); these are GOT-10k's
    test_cfg=dict(
        crop_mode='context',
        context_amount=0.5,
        template_factor=1.0,
        template_size=127,
        search_factor=255 / 127,
        search_size=255,
        pad_value='mean',
        window=dict(
            type='HanningWindow', mode='blend', influence=0.1,
            form='numpy'),
        size_penalty=dict(type='SizeChangePenalty', k=0.06),
        size_lr=0.7,
        clip_margin=10))
