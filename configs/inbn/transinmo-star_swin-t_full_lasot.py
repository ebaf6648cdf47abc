# TransInMo*: TransInMo with TransT's feature fusion network in place of
# the depth-wise correlation: 4 encoder layers of ECA + CFA and one CFA
# decoder, with the reference's 256 channels, 4 heads, FFN 1024, dropout
# 0.1 and sine positions. Table 5 varies the encoder layers
# (ablations/transinmo-star_t5_fusion-*.py).
_base_ = ['./transinmo_swin-t_full_lasot.py']

model = dict(
    neck=dict(
        _delete_=True,
        type='TransTFeatureFusion',
        in_channels=256,
        channels=256,
        num_heads=4,
        ffn_channels=1024,
        num_layers=4,
        dropout=0.1))
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={'neck': dict(lr_mult=1.0)}))
