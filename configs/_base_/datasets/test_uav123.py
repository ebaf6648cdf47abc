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

# Per-benchmark tracking hyper-parameters of the methods that tune them per
# benchmark (merged into the model by their configs:
# `model = dict(test_cfg=_base_.siamcar_test_cfg)`).
# SiamCAR / CNNInMo (penalty_k, lr, window_influence of the reference code)
siamcar_test_cfg = dict(
    window=dict(influence=0.3),
    size_penalty=dict(k=0.2),
    size_lr=0.4)
# TransT / TransInMo (window influence 0.49 everywhere)
transinmo_test_cfg = dict(
    window=dict(influence=0.49),
    size_penalty=dict(k=0.128),
    size_lr=0.913)
