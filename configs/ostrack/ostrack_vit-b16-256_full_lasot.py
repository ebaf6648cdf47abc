# OSTrack-256 trained on GOT-10k + LaSOT + TrackingNet + COCO (300 epochs,
# lr x0.1 at epoch 240), tested on LaSOT with OSTrack's evaluation.
# 4 GPUs x 32 = batch 128: tools/dist_train.sh THIS_CONFIG 4
# Other benchmarks: replace test_lasot.py by test_{lasot_ext,tnl2k,nfs,
# otb100,uav123,trackingnet}.py.
_base_ = [
    '../_base_/models/ostrack_vit-b16.py',
    '../_base_/datasets/sot_full_train.py',
    '../_base_/datasets/test_lasot.py',
    '../_base_/schedules/adamw_300e.py',
    '../_base_/default_runtime.py',
]

# local MAE ImageNet weights (cannot be downloaded by the toolbox)
model = dict(backbone=dict(pretrained=None))
# no validation during training: test the final checkpoint (tools/test.py)
val_cfg = None
