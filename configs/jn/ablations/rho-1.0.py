# JN Fig. 5: ratio of positive pairs rho = 1.0 (see rho-0.7.py).
_base_ = ['./rho-0.7.py']

train_dataloader = dict(dataset=dict(frame_sampler=dict(positive_ratio=1.0)))
