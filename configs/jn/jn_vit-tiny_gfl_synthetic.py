# JN on the tiny CPU tracker (trains through tools/quickstart.py --config):
# the quickstart's ViT (dim 192, depth 4, patch 8, 64 / 96 px crops) with a
# target-indicating token, the distribution (GFL) head and negative pairs
# (rho = 0.7) from the first iteration; tracking multiplies the quality map
# by a Hanning window (OSTrack style) and reports the quality as confidence.
_base_ = ['../onestream/onestream_vit-tiny-p8_center_synthetic.py']

embed_dim = 192
model = dict(
    backbone=dict(target_token=dict(mode='token', box_format='cxcywh')),
    head=dict(
        _delete_=True,
        type='GFLHead',
        in_channels=embed_dim,
        feat_channels=96,
        reg_max=16,
        topk=4),
    test_cfg=dict(window=dict(type='HanningWindow', mode='multiply')))

train_dataloader = dict(
    dataset=dict(frame_sampler=dict(positive_ratio=0.7)))
