from .base_sot_backbone import BaseSOTBackbone
from .one_stream_vit import OneStreamViT
from .siamese_resnet import SiameseResNet
from .vit_converters import (convert_vit_state_dict, detect_format,
                             load_vit_pretrained, resample_grid)

__all__ = [
    'BaseSOTBackbone', 'OneStreamViT', 'SiameseResNet',
    'convert_vit_state_dict', 'detect_format', 'load_vit_pretrained',
    'resample_grid'
]
