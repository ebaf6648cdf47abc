# Testing on the TrackingNet test set (511 videos). No public ground truth: the results
# are written for tools/analysis_tools/pack_submission.py --benchmark trackingnet.
_base_ = './sot_test.py'

test_dataloader = dict(
    dataset=dict(
        type='TrackingNetDataset',
        data_root='data/trackingnet',
        split='test'))
test_evaluator = dict(
    type='SOTMetric',
    format_only=True,
    outfile_prefix='work_dirs/results/trackingnet',
    layout='trackingnet')
