# SBT-large on the four training sets: 300 epochs, lr x0.1 at 240 (the
# released code). 8 GPUs x 12 = batch 96: tools/dist_train.sh THIS_CONFIG 8
_base_ = ['./sbt-base_full_lasot.py']

model = dict(backbone=dict(arch='large'))
train_dataloader = dict(batch_size=12)
auto_scale_lr = dict(base_batch_size=96)
max_epochs = 300
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='MultiStepLR', milestones=[240], gamma=0.1, by_epoch=True)
]
