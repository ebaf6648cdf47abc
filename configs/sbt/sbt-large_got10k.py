# SBT-large (Table 2: depths 3/4/18, EoC-CA at stage-3 blocks 6, 8, ..., 18),
# GOT-10k one-shot protocol. 8 GPUs x 12 = batch 96 (the released code's
# batch for large): tools/dist_train.sh THIS_CONFIG 8
_base_ = ['./sbt-base_got10k.py']

model = dict(backbone=dict(arch='large'))
train_dataloader = dict(batch_size=12)
auto_scale_lr = dict(base_batch_size=96)
