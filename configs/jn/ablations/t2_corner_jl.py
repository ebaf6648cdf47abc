# JN Table 2, "Corner + J.L.": both corner maps of a negative pair trained
# towards zero with cross-entropy (Eq. 7). GOT-10k val AO 68.7.
_base_ = ['./t2_corner.py']

model = dict(
    head=dict(
        loss_negative=dict(type='CrossEntropyLoss', use_sigmoid=True,
                           loss_weight=1.0)))
train_dataloader = dict(dataset=dict(frame_sampler=dict(positive_ratio=0.7)))
