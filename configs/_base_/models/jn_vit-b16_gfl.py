# JN model (Wei et al., AAAI 2024): the OSTrack-style one-stream ViT-B/16
# with the target-indicating token and the distribution (GFL) head; the
# quality map is multiplied by a Hanning window when tracking. Crop sizes
# are set by each config (JN-256: 144 / 256 px, JN-384: 192 / 384 px).
_base_ = ['./ostrack_vit-b16.py']

model = dict(
    backbone=dict(target_token=dict(mode='token', box_format='cxcywh')),
    head=dict(
        _delete_=True,
        type='GFLHead',
        in_channels=768,
        feat_channels=256,
        num_convs=4,
        reg_max=16,
        topk=4),
    test_cfg=dict(window=dict(type='HanningWindow', mode='multiply')))
