# Testing on LaSOT_ext (150 videos); pytracking/OSTrack run it outside their LaSOT mode.
# Use with a model and training config:
#   _base_ = [..., '../_base_/datasets/test_lasot_ext.py']
# or point at another copy with --cfg-options test_dataloader.dataset.data_root=PATH.
_base_ = './sot_test.py'

test_dataloader = dict(
    dataset=dict(
        type='LaSOTExtDataset',
        data_root='data/lasot_ext',
        split='test'))
test_evaluator = dict(
    type='SOTMetric',
    protocol='ostrack',
    protocol_options=dict(
        ostrack=dict(dataset='lasot_extension_subset')),
    ope_target_visible=True,
    layout='lasot')
