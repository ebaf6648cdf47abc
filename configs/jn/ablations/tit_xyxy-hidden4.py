# The token as in the authors' LiteTrack code: xyxy box, MLP hidden width 4
# (the paper writes (x, y, w, h) and gives no width).
_base_ = ['../jn-256_vit-b16_gfl_got10k.py']

model = dict(
    backbone=dict(target_token=dict(box_format='xyxy', hidden_dim=4)))
