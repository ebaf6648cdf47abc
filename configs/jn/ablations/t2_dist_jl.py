# JN Table 2, "Dist. + J.L." = Table 5, "none": the GFL head with 30 %
# negative pairs, no target-indicating token. GOT-10k val AO 73.6.
_base_ = ['../jn-256_vit-b16_gfl_got10k.py']

model = dict(backbone=dict(target_token=None))
