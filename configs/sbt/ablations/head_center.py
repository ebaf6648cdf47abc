# The correlation-aware SBT-base features under OSTrack's centre head (one
# Gaussian heatmap, size and offset maps) with its multiplied Hanning
# window: SBT as the feature network of another tracker, configs only.
_base_ = ['../sbt-base_got10k.py']

model = dict(
    head=dict(
        _delete_=True,
        type='CenterHead',
        in_channels=320,
        feat_channels=256,
        num_convs=4),
    test_cfg=dict(window=dict(_delete_=True, type='HanningWindow',
                              mode='multiply')))
