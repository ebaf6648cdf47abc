# CNNInMo on the tiny CPU budget (trains through tools/quickstart.py --config
# in 10 minutes on 2 cores): a ResNet-18 to stride 8 (stages 1-2) shared by
# template and search, a GIM (CSA then TCA, window process) after both
# search stages, SiamCAR's adjust + valid depth-wise correlation of the
# template's central 4 x 4 cells (a 13 x 13 map) and the CAR head; 64 px
# templates (factor 2), 128 px search areas (factor 4). The GIM windows are
# 4 x 4 instead of the paper's 7 x 7 (the stage-2 template map is 8 x 8: a
# 7 x 7 window would leave each window offset one or two template keys).
# Switch TCA off without touching the file:
#   --cfg-options 'model.backbone.gim.modules=[csa]'
_base_ = ['../onestream/onestream_vit-tiny-p8_center_synthetic.py']

template_size = 64
search_size = 128
model = dict(
    type='SiameseTracker',
    backbone=dict(
        _delete_=True,
        type='InMoResNet',
        depth=18,
        out_stage=2,
        gim_stages=(1, 2),
        gim=dict(window_size=4, dropout=0.0)),
    neck=dict(
        type='MultiLevelDepthwiseCorrelation',
        in_channels=[128],
        channels=128,
        template_crop=4),
    head=dict(
        _delete_=True,
        type='CARHead',
        in_channels=128,
        num_convs=2,
        stride=8,
        search_size=search_size),
    test_cfg=dict(
        template_size=template_size,
        search_size=search_size,
        search_factor=4.0,
        window=dict(
            type='HanningWindow', mode='blend', influence=0.3, form='numpy'),
        size_penalty=dict(type='SizeChangePenalty', k=0.04),
        size_lr=0.5))

train_pipeline = [
    dict(type='LoadFrames'),
    dict(
        type='SearchAreaCrop',
        template_factor=2.0,
        template_size=template_size,
        search_factor=4.0,
        search_size=search_size,
        scale_jitter=0.25,
        center_jitter=3.0),
    dict(type='CheckPaddingValidity', stride=8),
    dict(type='JointGrayscale', prob=0.05),
    dict(type='JointFlip', prob=0.5),
    dict(type='BrightnessJitter', factor=0.2),
    dict(type='PackSOTInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
