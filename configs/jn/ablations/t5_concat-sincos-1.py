# JN Table 5, "concat / Sin-Cos / 1 token": a fixed sine-cosine embedding of
# the box instead of the MLP. GOT-10k val AO 73.9.
_base_ = ['../jn-256_vit-b16_gfl_got10k.py']

model = dict(backbone=dict(target_token=dict(encoding='sincos')))
