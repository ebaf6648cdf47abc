# Table 6 "+TD +JE": joint encoding on tracking data with MAE's own
# objective (the template branch reconstructs the input template, no
# appearance transfer).
_base_ = ['../mat_pretrain_vit-b16_full.py']

model = dict(transfer_role='template')
