# MAT pre-training (masked appearance transfer): ViT-B/16 one-stream
# encoder ([cls, z_visible, x_visible], fixed sin-cos positions, the
# template's own patch embedding) and MAE's decoder (512-d, 8 blocks),
# shared by the search reconstruction and the appearance transfer.
# Initialise both from MAE's *_full.pth (encoder + decoder): set the two
# `pretrained` paths below to the local file.
model = dict(
    type='MATPretrainer',
    data_preprocessor=dict(
        type='SOTDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(
        type='OneStreamViT',
        template_size=112,
        search_size=224,
        patch_size=16,
        embed_dim=768,
        depth=12,
        num_heads=12,
        mlp_ratio=4.,
        qkv_bias=True,
        drop_path_rate=0.,
        use_cls_token=True,
        pos_embed='sincos',
        template_patch_embed=True,
        # e.g. 'pretrained/mae_pretrain_vit_base_full.pth'
        pretrained=None),
    decoder=dict(
        type='MAEDecoder',
        embed_dim=512,
        depth=8,
        num_heads=16,
        mlp_ratio=4.,
        # the same MAE *_full.pth file
        pretrained=None),
    mask_ratio=0.25,
    masking='random')
