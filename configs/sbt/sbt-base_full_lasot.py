# SBT-base on GOT-10k + LaSOT + TrackingNet + COCO: 500 epochs of 60k pairs,
# lr x0.1 at epoch 400 (the released code), tested on LaSOT.
# 8 GPUs x 20 = batch 160: tools/dist_train.sh THIS_CONFIG 8
# Other benchmarks: replace test_lasot.py by test_{lasot_ext,tnl2k,nfs,
# otb100,uav123,trackingnet}.py.
_base_ = [
    '../_base_/models/sbt-base_mixmlp.py',
    '../_base_/datasets/sot_full_train.py',
    '../_base_/datasets/test_lasot.py',
    '../_base_/datasets/sbt_pipeline.py',
    '../_base_/schedules/adamw_300e.py',
    '../_base_/default_runtime.py',
]

train_dataloader = dict(
    batch_size=20, dataset=dict(pipeline=_base_.sbt_train_pipeline))
max_epochs = 500
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=1e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='MultiStepLR', milestones=[400], gamma=0.1, by_epoch=True)
]
auto_scale_lr = dict(base_batch_size=160)
# no validation during training: test the final checkpoint (tools/test.py)
val_cfg = None
