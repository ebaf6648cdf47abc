# Table 6 "+JE" / Table 8 "ViT-B/16": the tracker on MAE's ImageNet
# weights without MAT pre-training (joint encoding, frozen encoder):
#   --cfg-options model.backbone.pretrained=pretrained/mae_pretrain_vit_base.pth
_base_ = ['../mat_track_vit-b16_frozen_full_lasot.py']

model = dict(backbone=dict(pretrained_format='mae', pretrained_prefix=None))
