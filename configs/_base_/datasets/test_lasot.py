# Testing on LaSOT protocol II test set (280 videos), OSTrack's LaSOT-mode evaluation
# (what STARK/OSTrack-family papers report; see docs/evaluation.md).
# Use with a model and training config:
#   _base_ = [..., '../_base_/datasets/test_lasot.py']
# or point at another copy with --cfg-options test_dataloader.dataset.data_root=PATH.
_base_ = './sot_test.py'

test_dataloader = dict(
    dataset=dict(
        type='LaSOTDataset',
        data_root='data/lasot',
        split='test'))
test_evaluator = dict(
    type='SOTMetric',
    protocol='ostrack',
    protocol_options=dict(ostrack=dict(dataset='lasot')),
    ope_target_visible=True,
    layout='lasot')
