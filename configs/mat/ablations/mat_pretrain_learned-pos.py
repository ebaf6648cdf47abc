# Table 6 "+LP": learnable positional embeddings (initialised from the MAE
# checkpoint's table, resampled to each grid) instead of fixed sin-cos.
# The tracker must use the same encoder:
#   ../mat_track_vit-b16_frozen_full_lasot.py --cfg-options
#   model.backbone.pos_embed=learned model.backbone.pretrained=...
_base_ = ['../mat_pretrain_vit-b16_full.py']

model = dict(backbone=dict(pos_embed='learned'))
