# CNNInMo without the window process (Table 4's component analysis on the
# CNN model): CSA and TCA attend globally over every cell.
_base_ = ['../cnninmo_r50_full_lasot.py']

model = dict(backbone=dict(gim=dict(window_size=None)))
