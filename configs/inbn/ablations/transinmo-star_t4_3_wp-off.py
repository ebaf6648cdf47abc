# Table 4 (3): TransInMo* with TCA, without WP: global self-attention and
# token-level cross-attention (LaSOT AUC 63.2). Table 4 (4) is
# transinmo-star_swin-t_full_lasot.py (65.7).
_base_ = ['../transinmo-star_swin-t_full_lasot.py']

model = dict(backbone=dict(window_process=False))
