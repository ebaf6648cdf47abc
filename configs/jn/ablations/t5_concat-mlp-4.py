# JN Table 5, "concat / MLP / 4 tokens": one token per box number
# (Fig. 4b). GOT-10k val AO 74.2 (one token, the JN-256 config: 74.3).
_base_ = ['../jn-256_vit-b16_gfl_got10k.py']

model = dict(backbone=dict(target_token=dict(mode='tokens')))
