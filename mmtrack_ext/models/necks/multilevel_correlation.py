"""Multi-level adjust + depth-wise correlation neck (SiamRPN++ / SiamCAR)."""
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures.backbone_output import BackboneOutput
from .depthwise_correlation import depthwise_xcorr


def center_crop(maps: Tensor, size: int) -> Tensor:
    """The central ``size x size`` cells of ``(..., h, w)`` maps (start
    ``(h - size) // 2``); maps no larger are returned unchanged."""
    h, w = maps.shape[-2:]
    if size >= h and size >= w:
        return maps
    top, left = max((h - size) // 2, 0), max((w - size) // 2, 0)
    return maps[..., top:top + min(size, h), left:left + min(size, w)]


@MODELS.register_module()
class MultiLevelDepthwiseCorrelation(BaseModule):
    """Adjust every backbone level, correlate each level's search map with
    its template map depth-wise (valid correlation), and fuse the levels.

    SiamCAR's neck: per level a 1x1 conv + BatchNorm to ``channels``
    (``AdjustAllLayer``), the template map cut to its central
    ``template_crop`` cells (the target; SiamCAR: 7 of 15), a valid
    depth-wise correlation (the ``(B, C, H - k + 1, W - k + 1)`` response;
    with ``T`` templates the responses are averaged), the levels
    concatenated and a 1x1 conv back to ``channels`` (``fuse='concat'``), or
    averaged (``fuse='mean'``, SiamRPN++'s unweighted form).

    The output map is the central part of the search grid: its cell ``j``
    sits at search cell ``j + (k - 1) / 2``, so a head on it needs that
    geometry (:class:`~mmtrack_ext.models.heads.CARHead`'s ``stride`` and
    ``search_size``).

    Args:
        in_channels: channels of each level (``BackboneOutput.search_levels``
            when the backbone has levels, else its single ``search``).
        channels: channels after adjustment and of the output.
        template_crop: side of the central template cells used as the
            kernel (``None``: the whole template map).
        fuse: ``'concat'`` (SiamCAR) or ``'mean'``.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 channels: int = 256,
                 template_crop: Optional[int] = 7,
                 fuse: str = 'concat',
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if isinstance(in_channels, int):
            in_channels = [in_channels]
        if fuse not in ('concat', 'mean'):
            raise ValueError(f"fuse must be 'concat' or 'mean', got {fuse!r}")
        self.in_channels = [int(c) for c in in_channels]
        self.template_crop = template_crop
        self.fuse = fuse
        self.adjust = nn.ModuleList([
            nn.Sequential(nn.Conv2d(c, channels, 1, bias=False),
                          nn.BatchNorm2d(channels))
            for c in self.in_channels
        ])
        n = len(self.in_channels)
        self.down = (nn.Conv2d(channels * n, channels, 1)
                     if fuse == 'concat' and n > 1 else None)
        self.out_channels = channels

    def _levels(self, feats: BackboneOutput):
        if feats.search_levels is not None:
            search, template = feats.search_levels, feats.template_levels
        else:
            search, template = [feats.search], [feats.template]
        if template is None or any(t is None for t in template):
            raise ValueError('MultiLevelDepthwiseCorrelation needs template '
                             'maps in the backbone output')
        if len(search) != len(self.adjust):
            raise ValueError(
                f'MultiLevelDepthwiseCorrelation was built for '
                f'{len(self.adjust)} levels (in_channels={self.in_channels}) '
                f'but the backbone gives {len(search)}')
        return search, template

    def correlate(self, feats: BackboneOutput) -> List[Tensor]:
        """The ``(B, channels, H', W')`` response of every level."""
        responses = []
        for adjust, x, z in zip(self.adjust, *self._levels(feats)):
            b, t = z.shape[:2]
            z = adjust(z.flatten(0, 1))
            if self.template_crop is not None:
                z = center_crop(z, self.template_crop)
            responses.append(
                depthwise_xcorr(adjust(x), z.reshape(b, t, *z.shape[1:])))
        return responses

    def forward(self, feats: BackboneOutput) -> BackboneOutput:
        """Returns ``feats`` with ``search`` replaced by the fused
        ``(B, channels, H', W')`` response."""
        responses = self.correlate(feats)
        if len(responses) == 1:
            out = responses[0]
        elif self.fuse == 'concat':
            out = self.down(torch.cat(responses, dim=1))
        else:
            out = torch.stack(responses).mean(dim=0)
        return feats.replace(search=out)
