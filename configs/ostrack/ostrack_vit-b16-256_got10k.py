# OSTrack-256 without candidate elimination, GOT-10k one-shot protocol
# (train on GOT-10k train only, 100 epochs, lr x0.1 at epoch 80).
# 4 GPUs x 32 = batch 128: tools/dist_train.sh THIS_CONFIG 4
_base_ = [
    '../_base_/models/ostrack_vit-b16.py',
    '../_base_/datasets/got10k.py',
    '../_base_/schedules/adamw_300e.py',
    '../_base_/default_runtime.py',
]

# local MAE ImageNet weights (cannot be downloaded by the toolbox)
model = dict(backbone=dict(pretrained=None))

train_dataloader = dict(batch_size=32)
max_epochs = 100
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs + 1)
param_scheduler = [
    dict(type='MultiStepLR', milestones=[80], gamma=0.1, by_epoch=True)
]
