# Siamese tracker: shared ResNet-50 to stride 16, depth-wise correlation,
# soft-argmax corner head.
model = dict(
    type='SiameseTracker',
    data_preprocessor=dict(
        type='SOTDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='SiameseResNet',
        depth=50,
        out_stage=3,
        frozen_stages=1,
        norm_eval=True,
        # a local torchvision checkpoint, e.g. 'pretrained/resnet50.pth'
        pretrained=None),
    neck=dict(type='DepthwiseCorrelation', in_channels=1024, channels=256),
    head=dict(
        type='CornerHead',
        in_channels=256,
        feat_channels=256,
        loss_bbox=dict(type='L1Loss', loss_weight=5.0),
        loss_iou=dict(type='GIoULoss', loss_weight=2.0)),
    test_cfg=dict(
        template_factor=2.0,
        template_size=128,
        search_factor=4.0,
        search_size=256,
        window=None,
        clip_margin=10))
