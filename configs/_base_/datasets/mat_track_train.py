# MAT tracker training pairs (methods.md 6.1): template and search frames
# within +-200 frames of each other, from LaSOT train, ImageNet VID,
# GOT-10k (vot-train), TrackingNet chunk 0 and COCO 2017 (static pairs),
# each dataset equally likely; 6,400 pairs per epoch (the paper). Square
# crops with MAT's additive context: template factor 2 (112 px), search
# factor 4 (224 px) with scale (0.5) and position (3) jitter; colour jitter
# and Gaussian blur on both images, a horizontal flip of the search image.
# Training only: combine with a test base.
template_size = 112
search_size = 224
pad_value = [103.53, 116.28, 123.675]
train_pipeline = [
    dict(type='LoadFrames'),
    dict(
        type='SearchAreaCrop',
        template_factor=2.0,
        template_size=template_size,
        search_factor=4.0,
        search_size=search_size,
        scale_jitter=0.5,
        center_jitter=3.0,
        crop_mode='additive',
        pad_value=pad_value),
    dict(type='CheckPaddingValidity', stride=16),
    dict(type='ColorJitter', brightness=0.2, contrast=0.2, saturation=0.2),
    dict(type='GaussianBlur', prob=0.5, sigma=(0.2, 1.0)),
    dict(type='JointFlip', prob=0.5, roles=['search']),
    dict(type='PackSOTInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='PairSampler'),
    dataset=dict(
        type='SOTPairDataset',
        datasets=[
            dict(type='LaSOTDataset', data_root='data/lasot', split='train'),
            dict(type='ImageNetVIDDataset', data_root='data/ILSVRC2015',
                 split='train'),
            dict(type='GOT10kDataset', data_root='data/got10k',
                 split='train', vot_exclude=True),
            dict(type='TrackingNetDataset', data_root='data/trackingnet',
                 split='train', chunks=[0]),
            dict(type='COCOSOTDataset', data_root='data/coco',
                 split='train2017'),
        ],
        dataset_weights=[1.0, 1.0, 1.0, 1.0, 1.0],
        samples_per_epoch=6400,
        frame_sampler=dict(
            type='FrameSampler', mode='symmetric', max_gap=200,
            num_templates=1, positive_ratio=1.0),
        pipeline=train_pipeline))
