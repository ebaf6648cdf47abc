# Training pairs at OSTrack's sizes (128 px templates at factor 2, 256 px
# search areas at factor 4) from GOT-10k train; the other training bases
# change `train_dataloader.dataset.datasets`. Training only: combine with a
# test base (test_*.py) or use got10k.py (which adds GOT-10k val).
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
        datasets=[dict(type='GOT10kDataset', data_root='data/got10k',
                       split='train')],
        dataset_weights=[1.0],
        samples_per_epoch=60000,
        frame_sampler=dict(
            type='FrameSampler', mode='causal', max_gap=200,
            num_templates=1, positive_ratio=1.0),
        pipeline=train_pipeline))
