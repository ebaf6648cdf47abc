# Training pairs from the four sources of "full-data" trackers (STARK,
# OSTrack, ...): GOT-10k train, LaSOT train (protocol II), TrackingNet
# TRAIN_0..11 and COCO 2017 train as static-image pairs, equal weights,
# 60k samples per epoch, OSTrack's 128 / 256 px crops.
# Training only: combine with a test base (test_lasot.py, test_uav123.py,
# ...). Not for the GOT-10k one-shot protocol (GOT-10k train only; the
# protocol guard refuses it), nor for VOT2020 without
# GOT10kDataset(vot_exclude=True).
template_size = 128
search_size = 256
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
    dict(type='CheckPaddingValidity', stride=16),
    dict(type='JointGrayscale', prob=0.05),
    dict(type='JointFlip', prob=0.5),
    dict(type='BrightnessJitter', factor=0.2),
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
            dict(type='GOT10kDataset', data_root='data/got10k',
                 split='train'),
            dict(type='LaSOTDataset', data_root='data/lasot', split='train'),
            dict(type='TrackingNetDataset', data_root='data/trackingnet',
                 split='train'),
            dict(type='COCOSOTDataset', data_root='data/coco',
                 split='train2017'),
        ],
        dataset_weights=[1.0, 1.0, 1.0, 1.0],
        samples_per_epoch=60000,
        frame_sampler=dict(
            type='FrameSampler', mode='causal', max_gap=200,
            num_templates=1, positive_ratio=1.0),
        pipeline=train_pipeline))
