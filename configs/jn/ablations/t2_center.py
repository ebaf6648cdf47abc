# JN Table 2, "Center, no J.L.": OSTrack's centre head, positive pairs only,
# no target-indicating token (Table 2 precedes the token: its "Dist. + J.L."
# row, 73.6 AO, is Table 5's baseline without it). GOT-10k val AO 69.1.
_base_ = ['../jn-256_vit-b16_gfl_got10k.py']

model = dict(
    backbone=dict(target_token=None),
    head=dict(
        _delete_=True,
        type='CenterHead',
        in_channels=768,
        feat_channels=256,
        num_convs=4))
train_dataloader = dict(dataset=dict(frame_sampler=dict(positive_ratio=1.0)))
