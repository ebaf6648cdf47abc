# Testing on UAV123 (123 sub-sequences; NaN ground truth handled as pytracking's uav mode).
# Use with a model and training config:
#   _base_ = [..., '../_base_/datasets/test_uav123.py']
# or point at another copy with --cfg-options test_dataloader.dataset.data_root=PATH.
_base_ = './sot_test.py'

test_dataloader = dict(
    dataset=dict(
        type='UAV123Dataset',
        data_root='data/uav123'))
test_evaluator = dict(
    type='SOTMetric',
    protocol='uav', layout='uav')
