# MAT pre-training pairs (methods.md 6.1): a template frame anywhere in a
# video and a search frame within +-9999 frames of it (practically
# anywhere), from LaSOT train, ImageNet VID, GOT-10k (vot-train: the VOT
# sequences excluded) and TrackingNet (MAT's code: chunks 0, 1 and part of
# 2; here all of chunks 0-2), equal dataset weights, 6,400 pairs per epoch
# (the paper; the code's 64,000 is `samples_per_epoch=64000`).
# Crops: the input template and the transfer target are 2w x 2h (non-square,
# resized to 112 x 112: MAT's code); the search area grows each side by
# 3 x the mean side (MAT's additive context, factor 4) to 224 px, with
# scale (0.5) and position (3) jitter. Colour jitter on both images, motion
# blur on the input template, one horizontal flip of search and transfer
# target together.
template_size = 112
search_size = 224
# ImageNet mean colour, BGR px
pad_value = [103.53, 116.28, 123.675]
train_pipeline = [
    dict(type='LoadFrames'),
    dict(
        type='SearchAreaCrop',
        search_factor=4.0,
        search_size=search_size,
        scale_jitter=0.5,
        center_jitter=3.0,
        crop_mode='additive',
        roles=dict(
            template=dict(
                factor=2.0, size=template_size, crop_mode='non_square')),
        pad_value=pad_value),
    dict(type='CheckPaddingValidity', stride=16),
    dict(type='ColorJitter', brightness=0.2, contrast=0.2, saturation=0.2),
    dict(type='MotionBlur', prob=0.2, kernel_size=(3, 15),
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
                 split='train', chunks=[0, 1, 2]),
        ],
        dataset_weights=[1.0, 1.0, 1.0, 1.0],
        samples_per_epoch=6400,
        frame_sampler=dict(
            type='FrameSampler', mode='symmetric', max_gap=9999,
            num_templates=1, positive_ratio=1.0),
        pipeline=train_pipeline))
# a pre-training model does not track: no validation or test loop
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
