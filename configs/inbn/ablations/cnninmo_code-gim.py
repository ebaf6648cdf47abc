# The reference code's GIM instead of the paper's: TCA before CSA, 8 x 8
# windows, and its attention (each query softmaxed over its channels, no
# softmax over the keys).
_base_ = ['../cnninmo_r50_full_lasot.py']

model = dict(
    backbone=dict(
        gim=dict(
            modules=('tca', 'csa'), window_size=8,
            attention='query_softmax')))
