# The synthetic GOT-10k-format sequences shipped with the toolbox
# (tools/dataset_converters/make_synthetic.py; tools/quickstart.py makes them).
_base_ = './got10k.py'

data_root = 'data/synthetic'
template_size = 64
search_size = 128
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
train_dataloader = dict(
    batch_size=32,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(
        datasets=[dict(type='GOT10kDataset', data_root=data_root,
                       split='train')],
        samples_per_epoch=3200,
        frame_sampler=dict(max_gap=50),
        pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=1,
    dataset=dict(data_root=data_root, split='val'))
test_dataloader = val_dataloader
