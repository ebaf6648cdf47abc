# JN Table 2, "Center + J.L.": 30 % negative pairs, the all-zero heatmap of
# a negative pair normalised by the number of negative pairs (Eq. 6).
# GOT-10k val AO 68.9.
_base_ = ['./t2_center.py']

model = dict(head=dict(negative_normalizer='negatives'))
train_dataloader = dict(dataset=dict(frame_sampler=dict(positive_ratio=0.7)))
