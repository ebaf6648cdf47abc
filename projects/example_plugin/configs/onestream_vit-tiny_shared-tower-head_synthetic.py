# Ablation from outside the package: the tiny quickstart tracker with a head
# registered by this project. Run from the repository root:
#   PYTHONPATH=projects/example_plugin python tools/train.py \
#       projects/example_plugin/configs/onestream_vit-tiny_shared-tower-head_synthetic.py
_base_ = [
    '../../../configs/onestream/onestream_vit-tiny-p8_center_synthetic.py'
]
custom_imports = dict(imports=['example_plugin'], allow_failed_imports=False)

model = dict(
    head=dict(
        _delete_=True,
        type='SharedTowerCenterHead',
        in_channels={{_base_.embed_dim}},
        feat_channels=96))
