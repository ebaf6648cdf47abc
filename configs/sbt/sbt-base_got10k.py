# SBT-base, GOT-10k one-shot protocol (GOT-10k train only): 100 epochs of
# 60k pairs, lr x0.1 at epoch 80 (the released code's GOT-10k schedule).
# 8 GPUs x 20 = batch 160: tools/dist_train.sh THIS_CONFIG 8
# ImageNet initialisation: model.backbone.pretrained=PATH of timm's
# pvt_v2_b3 weights (the released code's; the paper pre-trains its own
# four-stage SBT, SBTClassifier).
_base_ = [
    '../_base_/models/sbt-base_mixmlp.py',
    '../_base_/datasets/got10k.py',
    '../_base_/datasets/sbt_pipeline.py',
    '../_base_/schedules/adamw_300e.py',
    '../_base_/default_runtime.py',
]

train_dataloader = dict(
    batch_size=20, dataset=dict(pipeline=_base_.sbt_train_pipeline))
max_epochs = 100
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs + 1)
# AdamW 1e-3 (backbone x0.1), wd 1e-4, gradient clipped at 0.1
optim_wrapper = dict(optimizer=dict(lr=1e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='MultiStepLR', milestones=[80], gamma=0.1, by_epoch=True)
]
auto_scale_lr = dict(base_batch_size=160)
