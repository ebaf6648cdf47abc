from .base_sot_head import (BaseSOTHead, conv_bn_relu, conv_branch,
                            conv_tower)
from .car_head import CARHead
from .center_head import CenterHead
from .corner_head import CornerHead, soft_argmax
from .dense_targets import (box_gaussian_weights, cell_centres,
                            gaussian_heatmap, gaussian_radius,
                            inside_box_cells)
from .gfl_head import GFLHead
from .score_head import MLPScoreHead
from .transt_head import MixMLPBlock, MixMLPBranch, MLPBranch, TransTHead

__all__ = [
    'BaseSOTHead', 'CARHead', 'conv_bn_relu', 'conv_branch', 'conv_tower', 'CenterHead',
    'box_gaussian_weights', 'gaussian_heatmap', 'gaussian_radius',
    'CornerHead', 'soft_argmax', 'GFLHead', 'cell_centres',
    'inside_box_cells', 'MLPScoreHead', 'MixMLPBlock', 'MixMLPBranch',
    'MLPBranch', 'TransTHead'
]
