"""Depth-wise cross-correlation neck for Siamese features."""
from typing import Dict, Optional

import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmtrack_ext.registry import MODELS


@MODELS.register_module()
class DepthwiseCorrelation(BaseModule):
    """Correlate search features with the template map, channel by channel.

    Both maps are projected by a shared 1x1 convolution to ``channels``; the
    template map (resized to an odd ``kernel_size`` so the output stays
    aligned with the search grid) is used as a per-sample depth-wise kernel
    with ``'same'`` padding, so the output has the search map's size.

    Args:
        in_channels: channels of the backbone maps.
        channels: channels after projection (and of the output).
        kernel_size: odd side of the template kernel; ``None`` uses the
            template map's side (+1 when even).
    """

    def __init__(self,
                 in_channels: int,
                 channels: int = 256,
                 kernel_size: Optional[int] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if kernel_size is not None and kernel_size % 2 == 0:
            raise ValueError(f'kernel_size must be odd, got {kernel_size}')
        self.proj = nn.Sequential(
            nn.Conv2d(in_channels, channels, 1, bias=False),
            nn.BatchNorm2d(channels))
        self.kernel_size = kernel_size
        self.out_channels = channels

    def forward(self, feats: Dict[str, Tensor]) -> Tensor:
        """Correlate ``feats['search']`` ``(B, C, H, W)`` with
        ``feats['template']`` ``(B, T, C, h, w)`` (the first template is the
        kernel) and return ``(B, channels, H, W)``."""
        search = self.proj(feats['search'])
        template = feats['template'][:, 0]
        template = self.proj(template)
        k = self.kernel_size or template.shape[-1] + 1 - template.shape[-1] % 2
        if template.shape[-2:] != (k, k):
            template = F.interpolate(
                template, size=(k, k), mode='bilinear', align_corners=False)
        b, c, h, w = search.shape
        out = F.conv2d(
            search.reshape(1, b * c, h, w),
            template.reshape(b * c, 1, k, k),
            padding=k // 2,
            groups=b * c)
        return out.reshape(b, c, h, w) / (k * k)
