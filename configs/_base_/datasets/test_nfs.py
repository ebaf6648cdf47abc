# Testing on NfS, 30 fps version (100 videos).
# Use with a model and training config:
#   _base_ = [..., '../_base_/datasets/test_nfs.py']
# or point at another copy with --cfg-options test_dataloader.dataset.data_root=PATH.
_base_ = './sot_test.py'

test_dataloader = dict(
    dataset=dict(
        type='NFSDataset',
        data_root='data/nfs'))
test_evaluator = dict(
    type='SOTMetric',
    protocol='ostrack', layout='nfs')
