"""Depth-wise cross-correlation neck for Siamese features."""
from typing import Optional

import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures.backbone_output import BackboneOutput


def depthwise_xcorr(search: Tensor, template: Tensor,
                    padding: int = 0) -> Tensor:
    """Correlate each channel of the search maps with the same channel of
    every template of its sample; the ``T`` responses are averaged.

    Args:
        search: ``(B, C, H, W)``.
        template: ``(B, T, C, k_h, k_w)`` kernels.
        padding: zero padding of the search maps (0: valid correlation,
            ``(B, C, H - k_h + 1, W - k_w + 1)``).

    Returns:
        Tensor: ``(B, C, H', W')`` sum of products per position (not
        normalised).
    """
    b, t, c, kh, kw = template.shape
    h, w = search.shape[-2:]
    # output channel (b, c, t) reads input channel (b, c)
    kernels = template.transpose(1, 2).reshape(b * c * t, 1, kh, kw)
    out = F.conv2d(search.reshape(1, b * c, h, w), kernels, padding=padding,
                   groups=b * c)
    return out.reshape(b, c, t, *out.shape[-2:]).mean(dim=2)


@MODELS.register_module()
class DepthwiseCorrelation(BaseModule):
    """Correlate search features with the template maps, channel by channel.

    Both maps are projected by a shared 1x1 convolution to ``channels``; each
    template map (resized to an odd ``kernel_size`` so the output stays
    aligned with the search grid) is a per-sample depth-wise kernel with
    ``'same'`` padding, so the output has the search map's size. With ``T``
    templates (several templates, or online templates in a memory) the ``T``
    responses are averaged.

    Args:
        in_channels: channels of the backbone maps.
        channels: channels after projection (and of the output).
        kernel_size: odd side of the template kernel; ``None`` uses the
            template map's side (+1 when even).
        proj_norm: BatchNorm after the projection (off: a linear layer with
            bias, MAT's projection, so that the matching itself has no
            other parameters).
    """

    def __init__(self,
                 in_channels: int,
                 channels: int = 256,
                 kernel_size: Optional[int] = None,
                 proj_norm: bool = True,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if kernel_size is not None and kernel_size % 2 == 0:
            raise ValueError(f'kernel_size must be odd, got {kernel_size}')
        if proj_norm:
            self.proj = nn.Sequential(
                nn.Conv2d(in_channels, channels, 1, bias=False),
                nn.BatchNorm2d(channels))
        else:
            self.proj = nn.Conv2d(in_channels, channels, 1)
        self.kernel_size = kernel_size
        self.out_channels = channels

    def forward(self, feats: BackboneOutput) -> BackboneOutput:
        """Correlate ``feats.search`` ``(B, C, H, W)`` with every template of
        ``feats.template`` ``(B, T, C, h, w)``.

        Returns:
            BackboneOutput: ``search`` replaced by the ``(B, channels, H, W)``
            mean response over the ``T`` templates.
        """
        if feats.template is None:
            raise ValueError('DepthwiseCorrelation needs template maps in '
                             'the backbone output')
        search = self.proj(feats.search)
        b, t = feats.template.shape[:2]
        template = self.proj(feats.template.flatten(0, 1))
        k = self.kernel_size or template.shape[-1] + 1 - template.shape[-1] % 2
        if template.shape[-2:] != (k, k):
            template = F.interpolate(
                template, size=(k, k), mode='bilinear', align_corners=False)
        out = depthwise_xcorr(search, template.reshape(b, t, -1, k, k),
                              padding=k // 2) / (k * k)
        return feats.replace(search=out)
