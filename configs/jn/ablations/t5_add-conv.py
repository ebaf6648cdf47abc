# JN Table 5, "add / Conv": a pseudo-mask embedding of the template box
# added to the template tokens (Fig. 4a). GOT-10k val AO 73.0.
_base_ = ['../jn-256_vit-b16_gfl_got10k.py']

model = dict(backbone=dict(target_token=dict(mode='mask')))
