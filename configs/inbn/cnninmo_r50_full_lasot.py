# CNNInMo (SiamCAR + GIM) on GOT-10k + LaSOT + TrackingNet + COCO (the
# paper's training splits; the reference code adds YouTube-BB, VID and DET),
# 20 epochs of 600k pairs, 20 % negative pairs (template and search from
# different videos), tested on LaSOT with SiamCAR's LaSOT hyper-parameters.
# SGD, momentum 0.9, weight decay 1e-4, lr 1e-3 -> 5e-3 over 5 warm-up
# epochs, then log-decayed to 5e-4; backbone lr x 0.1 (the GIMs x 1).
# 4 GPUs x 32 = batch 128: tools/dist_train.sh THIS_CONFIG 4
# Other benchmarks: replace test_lasot.py by test_{tnl2k,nfs,otb100,uav123,
# trackingnet}.py; their SiamCAR hyper-parameters come with them.
_base_ = [
    '../_base_/models/cnninmo_r50_car.py',
    '../_base_/datasets/sot_full_train.py',
    '../_base_/datasets/test_lasot.py',
    '../_base_/datasets/siamcar_pipeline.py',
    '../_base_/default_runtime.py',
]

model = dict(test_cfg=_base_.siamcar_test_cfg)
train_dataloader = dict(
    batch_size=32,
    dataset=dict(
        samples_per_epoch=600000,
        frame_sampler=dict(max_gap=100, positive_ratio=0.8),
        pipeline=_base_.siamcar_train_pipeline))
max_epochs = 20
warmup_epochs = 5
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=max_epochs + 1)
test_cfg = dict(type='TestLoop')
val_cfg = None
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=5e-3, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=10.0),
    paramwise_cfg=dict(
        custom_keys={
            'backbone': dict(lr_mult=0.1),
            'backbone.gims': dict(lr_mult=1.0)
        }))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.2, by_epoch=True, begin=0,
         end=warmup_epochs, convert_to_iter_based=True),
    # 5e-3 -> 5e-4 log-linearly over the remaining epochs
    dict(type='ExponentialLR',
         gamma=0.1**(1 / (max_epochs - warmup_epochs - 1)),
         by_epoch=True, begin=warmup_epochs, end=max_epochs),
]
auto_scale_lr = dict(enable=False, base_batch_size=128)
