# SiamCAR / CNNInMo training crops (pysot): context crops (context 0.5,
# mean-colour padding), 127 px templates, 255 px search areas shifted by up
# to 64 px (one target size: centre jitter 2) and scaled by up to 18 %;
# colour jitter; no flip, blur or grayscale. Used by the configs as
# `pipeline=_base_.siamcar_train_pipeline`.
siamcar_train_pipeline = [
    dict(type='LoadFrames'),
    dict(
        type='SearchAreaCrop',
        crop_mode='context',
        context_amount=0.5,
        pad_value='mean',
        template_factor=1.0,
        template_size=127,
        search_factor=255 / 127,
        search_size=255,
        scale_jitter=0.18,
        center_jitter=2.0,
        template_scale_jitter=0.05,
        template_center_jitter=0.125),
    dict(type='BrightnessJitter', factor=0.2),
    dict(type='PackSOTInputs'),
]
