# TransInMo on the tiny CPU budget (trains through tools/quickstart.py
# --config in 10 minutes on 2 cores): a four-stage Swin (dims 32-256,
# depths 2 / 2 / 2 / 2, 4 x 4 windows) with window-level TCA in the last
# block of every stage, the stages fused to a 96-channel stride-8 map,
# depth-wise correlation and TransT's MLP heads (boxes as offsets from the
# cells); 64 px templates (factor 2)
# and 96 px search areas (factor 3), the quickstart's optimiser and
# pipeline, trained from scratch.
_base_ = ['../onestream/onestream_vit-tiny-p8_center_synthetic.py']

channels = 96
model = dict(
    type='SiameseTracker',
    backbone=dict(
        _delete_=True,
        type='InMoSwin',
        arch=dict(embed_dim=32, depths=(2, 2, 2, 2), num_heads=(1, 2, 4, 8)),
        window_size=4,
        tca_stages=(1, 2, 3, 4),
        fuse_channels=channels,
        drop_path_rate=0.0,
        template_size=64,
        search_size=96),
    neck=dict(
        type='DepthwiseCorrelation', in_channels=channels,
        channels=channels),
    head=dict(
        _delete_=True,
        type='TransTHead',
        in_channels=channels,
        feat_channels=channels,
        branch='mlp',
        num_layers=3,
        l1_format='xyxy',
        # the centre as an offset from the cell (TransT: the whole box from
        # every cell, which needs features that know their position: with
        # that head, from scratch, the boxes did not train in ten minutes,
        # loss_iou 1.8 of 2 at the end)
        box_param='cell_offset'),
    test_cfg=dict(
        window=dict(
            type='HanningWindow', mode='blend', influence=0.49,
            form='numpy'),
        size_lr=1.0))
