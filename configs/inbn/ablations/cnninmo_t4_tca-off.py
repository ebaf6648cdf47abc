# CNNInMo without TCA (Table 4's component analysis on the CNN model): each
# GIM keeps only its context-aware self-attention.
_base_ = ['../cnninmo_r50_full_lasot.py']

model = dict(backbone=dict(gim=dict(modules=('csa', ))))
