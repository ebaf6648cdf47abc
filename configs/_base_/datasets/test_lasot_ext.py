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

# Per-benchmark tracking hyper-parameters of the methods that tune them per
# benchmark (merged into the model by their configs:
# `model = dict(test_cfg=_base_.siamcar_test_cfg)`).
# LaSOT's values (none published for LaSOT-ext)
# SiamCAR / CNNInMo (penalty_k, lr, window_influence of the reference code)
siamcar_test_cfg = dict(
    window=dict(influence=0.3),
    size_penalty=dict(k=0.04),
    size_lr=0.33)
# TransT / TransInMo (window influence 0.49 everywhere)
transinmo_test_cfg = dict(
    window=dict(influence=0.49),
    size_penalty=dict(k=0.0),
    size_lr=1.0)
