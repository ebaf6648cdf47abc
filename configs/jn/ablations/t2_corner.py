# JN Table 2, "Corner, no J.L.": STARK / MixFormer corner head, positive
# pairs only, no target-indicating token. GOT-10k val AO 67.6.
_base_ = ['../jn-256_vit-b16_gfl_got10k.py']

model = dict(
    backbone=dict(target_token=None),
    head=dict(
        _delete_=True,
        type='CornerHead',
        in_channels=768,
        feat_channels=256,
        num_convs=4))
train_dataloader = dict(dataset=dict(frame_sampler=dict(positive_ratio=1.0)))
