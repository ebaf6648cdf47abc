# Testing on OTB100 / OTB-2015 (100 targets).
# Use with a model and training config:
#   _base_ = [..., '../_base_/datasets/test_otb100.py']
# or point at another copy with --cfg-options test_dataloader.dataset.data_root=PATH.
_base_ = './sot_test.py'

test_dataloader = dict(
    dataset=dict(
        type='OTB100Dataset',
        data_root='data/otb100'))
test_evaluator = dict(
    type='SOTMetric',
    protocol='ostrack', layout='otb')
