# Table 7: grid-wise masking (one patch of every 2 x 2 kept, i.e. 75 %)
# instead of random masking.
_base_ = ['../mat_pretrain_vit-b16_full.py']

model = dict(masking='grid')
