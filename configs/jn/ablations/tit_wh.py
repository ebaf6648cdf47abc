# JN appendix B: the token encodes only the box size [w, h].
_base_ = ['../jn-256_vit-b16_gfl_got10k.py']

model = dict(backbone=dict(target_token=dict(box_format='wh')))
