# Testing on the GOT-10k test set (180 videos, one-shot protocol: train on GOT-10k
# train only). No public ground truth: the results are written for
# tools/analysis_tools/pack_submission.py --benchmark got10k.
_base_ = './sot_test.py'

test_dataloader = dict(
    dataset=dict(
        type='GOT10kDataset',
        data_root='data/got10k',
        split='test'))
test_evaluator = dict(
    type='SOTMetric',
    format_only=True,
    outfile_prefix='work_dirs/results/got10k_test',
    layout='got10k')

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
