from .base_pretext_model import BasePretextModel
from .mae_decoder import MAEDecoder, mae_decoder_converter
from .masking import (grid_keep, masked_patch_mse, patchify, random_keep,
                      unpatchify)
from .mat_pretrainer import MATPretrainer

__all__ = [
    'BasePretextModel', 'MAEDecoder', 'MATPretrainer', 'grid_keep',
    'mae_decoder_converter',
    'masked_patch_mse', 'patchify', 'random_keep', 'unpatchify'
]
