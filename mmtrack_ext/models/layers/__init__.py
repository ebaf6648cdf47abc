from .gim import GIM, WindowAttention, ungroup_windows, window_groups
from .mimetic_init import mimetic_factors, mimetic_init_
from .pos_embed import sincos_grid_embedding
from .target_token import TargetIndicatingToken, sincos_box_embedding
from .weight_init import transformer_init_

__all__ = ['mimetic_factors', 'mimetic_init_', 'TargetIndicatingToken',
           'sincos_box_embedding', 'transformer_init_', 'GIM',
           'WindowAttention', 'window_groups', 'ungroup_windows',
           'sincos_grid_embedding']
