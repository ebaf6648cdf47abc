# GOT-10k: train pairs from train, evaluation on val (GOT-10k protocol).
# Point at another copy with
#   --cfg-options train_dataloader.dataset.datasets.0.data_root=PATH \
#                 test_dataloader.dataset.data_root=PATH
_base_ = './sot_train.py'

data_root = 'data/got10k'
test_pipeline = [dict(type='LoadFrames'), dict(type='PackSOTInputs')]
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='VideoSampler'),
    dataset=dict(
        type='GOT10kDataset',
        data_root=data_root,
        split='val',
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='SOTMetric', protocol='got10k')
test_evaluator = val_evaluator

# Per-benchmark tracking hyper-parameters of the methods that tune them per
# benchmark (merged into the model by their configs:
# `model = dict(test_cfg=_base_.siamcar_test_cfg)`).
# SiamCAR / CNNInMo (penalty_k, lr, window_influence of the reference code)
siamcar_test_cfg = dict(
    window=dict(influence=0.1),
    size_penalty=dict(k=0.06),
    size_lr=0.7)
# TransT / TransInMo (window influence 0.49 everywhere)
transinmo_test_cfg = dict(
    window=dict(influence=0.49),
    size_penalty=dict(k=0.049),
    size_lr=1.0)
