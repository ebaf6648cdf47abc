from .base_sot_backbone import BaseSOTBackbone
from .inmo_resnet import InMoResNet
from .inmo_swin import SWIN_ARCHS, InMoSwin, swin_converter
from .one_stream_vit import OneStreamViT
from .sbt import (SBT, SBT_ARCHS, EoCBlock, OverlapPatchEmbed, SBTClassifier,
                  SpatialReductionAttention, pvt_v2_converter)
from .siamese_resnet import SiameseResNet, torchvision_resnet_converter
from .vit_converters import (convert_vit_state_dict, detect_format,
                             load_vit_pretrained, mae_decoder_state_dict,
                             resample_grid, vit_converter)

__all__ = [
    'BaseSOTBackbone', 'OneStreamViT', 'SiameseResNet',
    'torchvision_resnet_converter', 'convert_vit_state_dict',
    'detect_format', 'load_vit_pretrained', 'mae_decoder_state_dict',
    'resample_grid', 'vit_converter', 'SBT', 'SBT_ARCHS', 'SBTClassifier',
    'EoCBlock', 'OverlapPatchEmbed', 'SpatialReductionAttention',
    'pvt_v2_converter', 'InMoResNet', 'InMoSwin', 'SWIN_ARCHS',
    'swin_converter'
]
