# SBT's training crops (STARK code base): 128 px templates at factor 2,
# 256 px search areas at factor 5, search jitter scale 0.5 / centre 4.5.
# Used by the configs as `pipeline=_base_.sbt_train_pipeline`.
sbt_train_pipeline = [
    dict(type='LoadFrames'),
    dict(
        type='SearchAreaCrop',
        template_factor=2.0,
        template_size=128,
        search_factor=5.0,
        search_size=256,
        scale_jitter=0.5,
        center_jitter=4.5),
    dict(type='CheckPaddingValidity', stride=8),
    dict(type='JointGrayscale', prob=0.05),
    dict(type='JointFlip', prob=0.5),
    dict(type='BrightnessJitter', factor=0.2),
    dict(type='PackSOTInputs'),
]
