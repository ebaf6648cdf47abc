# Testing on TNL2K test set (700 videos; data_root is the test folder).
# Use with a model and training config:
#   _base_ = [..., '../_base_/datasets/test_tnl2k.py']
# or point at another copy with --cfg-options test_dataloader.dataset.data_root=PATH.
_base_ = './sot_test.py'

test_dataloader = dict(
    dataset=dict(
        type='TNL2KDataset',
        data_root='data/tnl2k/test'))
test_evaluator = dict(
    type='SOTMetric',
    protocol='ostrack', layout='tnl2k')
