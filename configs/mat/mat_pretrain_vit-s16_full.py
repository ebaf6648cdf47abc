# MAT pre-training of ViT-S/16 (Table 8), initialised from MoCo v3's
# ViT-S/16 (a timm-layout encoder; MoCo v3 has no MAE decoder, so the
# decoder starts from random init): --cfg-options
#   model.backbone.pretrained=pretrained/mocov3_vit_small.pth
_base_ = ['./mat_pretrain_vit-b16_full.py']

model = dict(
    backbone=dict(embed_dim=384, num_heads=6),
    decoder=dict(in_channels=384))
