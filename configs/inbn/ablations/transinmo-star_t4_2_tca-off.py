# Table 4 (2): TransInMo* with WP, without TCA: Swin's window attention, no
# interaction in the backbone (LaSOT AUC 64.6).
_base_ = ['../transinmo-star_swin-t_full_lasot.py']

model = dict(backbone=dict(tca_stages=()))
