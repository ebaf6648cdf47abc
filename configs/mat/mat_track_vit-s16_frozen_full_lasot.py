# The MAT tracker on a MAT-pre-trained ViT-S/16 (Table 8), freezing
# protocol.
_base_ = ['./mat_track_vit-b16_frozen_full_lasot.py']

model = dict(
    backbone=dict(embed_dim=384, num_heads=6),
    neck=dict(in_channels=384))
