# A backbone registered by this project that uses an extra (the template's
# target box): the tiny quickstart tracker with BoxPromptedViT. Run from the
# repository root:
#   PYTHONPATH=projects/example_plugin python tools/train.py \
#       projects/example_plugin/configs/onestream_vit-tiny_box-prompted_synthetic.py
_base_ = [
    '../../../configs/onestream/onestream_vit-tiny-p8_center_synthetic.py'
]
custom_imports = dict(imports=['example_plugin'], allow_failed_imports=False)

model = dict(backbone=dict(type='BoxPromptedViT', box_hidden=64))
