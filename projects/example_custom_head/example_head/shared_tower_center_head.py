"""A third-party head: the centre head with one conv tower shared by the
score, offset and size outputs (a third of the head's compute)."""
from typing import Dict

import torch.nn as nn
from torch import Tensor

from mmtrack_ext.models.heads import CenterHead, conv_tower
from mmtrack_ext.registry import MODELS


@MODELS.register_module()
class SharedTowerCenterHead(CenterHead):
    """:class:`CenterHead` whose three branches share one conv tower.

    Args:
        in_channels: channels of the search feature map.
        feat_channels: width of the first conv of the tower.
        num_convs: convs in the tower.
        **kwargs: loss configs, as for :class:`CenterHead`.
    """

    def __init__(self, in_channels: int, feat_channels: int = 256,
                 num_convs: int = 4, **kwargs):
        super().__init__(in_channels, feat_channels, num_convs, **kwargs)
        out_ch = max(feat_channels // 2**(num_convs - 1), 1)
        self.tower = conv_tower(in_channels, feat_channels, num_convs)
        self.score_branch = nn.Conv2d(out_ch, 1, 1)
        self.offset_branch = nn.Conv2d(out_ch, 2, 1)
        self.size_branch = nn.Conv2d(out_ch, 2, 1)
        nn.init.constant_(self.score_branch.bias, -4.6)

    def forward(self, feats: Tensor) -> Dict[str, Tensor]:
        x = self.tower(feats)
        score = self.score_branch(x).float().sigmoid().clamp(1e-4, 1 - 1e-4)
        return dict(
            score=score,
            offset=self.offset_branch(x).float(),
            size=self.size_branch(x).float().sigmoid())
