"""A third-party head: the centre head with one conv tower shared by the
score, offset and size outputs (a third of the head's compute)."""
from typing import Dict

import torch.nn as nn
from torch import Tensor

from mmtrack_ext.models.heads import CenterHead, conv_tower
from mmtrack_ext.registry import MODELS


@MODELS.register_module()
class SharedTowerCenterHead(CenterHead):
    """:class:`CenterHead` whose three outputs share one conv tower.

    Only the layers differ: the parent's losses, decoding, weight
    initialisation (``_init_weights``: Xavier convs, score prior) and
    ``predict`` are reused as they are.

    Args: as for :class:`CenterHead`.
    """

    def _init_layers(self) -> None:
        out_ch = max(self.feat_channels // 2**(self.num_convs - 1), 1)
        self.tower = conv_tower(self.in_channels, self.feat_channels,
                                self.num_convs)
        self.score_branch = nn.Conv2d(out_ch, 1, 1)
        self.offset_branch = nn.Conv2d(out_ch, 2, 1)
        self.size_branch = nn.Conv2d(out_ch, 2, 1)

    def forward(self, feats: Tensor) -> Dict[str, Tensor]:
        """Same outputs as :meth:`CenterHead.forward`."""
        x = self.tower(feats)
        score = self.score_branch(x).float().sigmoid().clamp(1e-4, 1 - 1e-4)
        return dict(
            score=score,
            offset=self.offset_branch(x).float(),
            size=self.size_branch(x).float().sigmoid())
