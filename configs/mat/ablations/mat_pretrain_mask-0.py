# Table 5: no masking (ratio 0; the loss then covers every patch).
# checkpoint with ../mat_track_vit-b16_frozen_full_lasot.py.
_base_ = ['../mat_pretrain_vit-b16_full.py']

model = dict(mask_ratio=0.)
# nothing is masked: the decoder's [mask] token takes no gradient
model_wrapper_cfg = dict(find_unused_parameters=True)
