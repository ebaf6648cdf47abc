# Runtime settings shared by every config of mmtrack_ext.
default_scope = 'mmtrack_ext'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # a checkpoint per epoch (plus `last_checkpoint` for --resume), keeping
    # the newest three
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # distributed runs: average the buffers (BatchNorm statistics) over the
    # processes after every epoch, before the checkpoint is saved, so the
    # checkpoint, validation and every rank see the same model (no-op
    # otherwise)
    sync_buffers=dict(type='SyncBuffersHook'),
    # no visualization hook: nothing is drawn during training or testing
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # tools/train.py and tools/test.py switch to 'gloo' without CUDA
    dist_cfg=dict(backend='nccl'),
)

# DistributedDataParallel that also works for CPU models (gloo); MMEngine
# needs the scope prefix to find it. Override `find_unused_parameters` here
# (not at the top level of the config) for models with unused parameters.
model_wrapper_cfg = dict(
    type='mmtrack_ext.DeviceAwareDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=False)

# scalars to {work_dir}/{timestamp}/vis_data; no name, so every run gets its
# own instance (the Runner names it after the experiment)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)

log_processor = dict(type='LogProcessor', window_size=50, by_epoch=True)
log_level = 'INFO'

load_from = None
resume = False

# reproducible by default; DefaultSampler shuffles differently every epoch
randomness = dict(seed=0, deterministic=False)
