# The correlation-aware SBT-base features under STARK's corner head
# (soft-argmax corners, GIoU + L1, no window): the STARK-CA of the paper's
# Table 6, configs only.
_base_ = ['../sbt-base_got10k.py']

model = dict(
    head=dict(
        _delete_=True,
        type='CornerHead',
        in_channels=320,
        feat_channels=256,
        num_convs=4),
    test_cfg=dict(window=None))
