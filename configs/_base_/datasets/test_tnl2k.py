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

# Per-benchmark tracking hyper-parameters of the methods that tune them per
# benchmark (merged into the model by their configs:
# `model = dict(test_cfg=_base_.siamcar_test_cfg)`).
# SiamCAR: LaSOT's values (none published for TNL2K)
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
