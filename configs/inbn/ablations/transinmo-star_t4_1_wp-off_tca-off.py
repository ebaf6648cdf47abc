# Table 4 (1): TransInMo* without WP and TCA: global self-attention in every
# block, no interaction in the backbone (LaSOT AUC 61.1 in the paper).
_base_ = ['../transinmo-star_swin-t_full_lasot.py']

model = dict(backbone=dict(window_process=False, tca_stages=()))
