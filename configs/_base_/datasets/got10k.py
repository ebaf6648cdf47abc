# GOT-10k: train pairs from train, evaluation on val (GOT-10k protocol).
# Point at another copy with
#   --cfg-options train_dataloader.dataset.datasets.0.data_root=PATH \
#                 test_dataloader.dataset.data_root=PATH
_base_ = './sot_train.py'

data_root = 'data/got10k'
test_pipeline = [dict(type='LoadFrames'), dict(type='PackSOTInputs')]
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='VideoSampler'),
    dataset=dict(
        type='GOT10kDataset',
        data_root=data_root,
        split='val',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='SOTMetric', protocol='got10k')
test_evaluator = val_evaluator
