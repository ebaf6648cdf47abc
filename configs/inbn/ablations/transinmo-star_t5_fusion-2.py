# Table 5: TransInMo* with 2 TransT encoder layer(s) before the decoder
# (DW: transinmo_swin-t_full_lasot.py; 4 layers:
# transinmo-star_swin-t_full_lasot.py).
_base_ = ['../transinmo-star_swin-t_full_lasot.py']

model = dict(neck=dict(num_layers=2))
