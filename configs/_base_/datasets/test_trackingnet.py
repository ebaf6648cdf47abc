# Testing on the TrackingNet test set (511 videos). No public ground truth: the results
# are written for tools/analysis_tools/pack_submission.py --benchmark trackingnet.
test_pipeline = [dict(type='LoadFrames'), dict(type='PackSOTInputs')]
test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='VideoSampler'),
    dataset=dict(
        type='TrackingNetDataset',
        data_root='data/trackingnet',
        split='test',
        test_mode=True,
        pipeline=test_pipeline))
test_evaluator = dict(
    type='SOTMetric',
    format_only=True,
    outfile_prefix='work_dirs/results/trackingnet',
    layout='trackingnet')
