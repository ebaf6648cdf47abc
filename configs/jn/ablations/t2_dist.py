# JN Table 2, "Dist., no J.L.": the distribution (GFL) head, positive pairs
# only, no target-indicating token. GOT-10k val AO 71.5.
_base_ = ['../jn-256_vit-b16_gfl_got10k.py']

model = dict(backbone=dict(target_token=None))
train_dataloader = dict(dataset=dict(frame_sampler=dict(positive_ratio=1.0)))
