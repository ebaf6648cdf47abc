# Testing on the GOT-10k test set (180 videos, one-shot protocol: train on GOT-10k
# train only). No public ground truth: the results are written for
# tools/analysis_tools/pack_submission.py --benchmark got10k.
_base_ = './sot_test.py'

test_dataloader = dict(
    dataset=dict(
        type='GOT10kDataset',
        data_root='data/got10k',
        split='test'))
test_evaluator = dict(
    type='SOTMetric',
    format_only=True,
    outfile_prefix='work_dirs/results/got10k_test',
    layout='got10k')
