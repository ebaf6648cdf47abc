"""Layer-wise aggregation of depth-wise correlations (SiamRPN++ style)."""
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures.backbone_output import BackboneOutput
from .depthwise_correlation import DepthwiseCorrelation


@MODELS.register_module()
class LayerwiseCorrelation(BaseModule):
    """One :class:`DepthwiseCorrelation` per feature level, the responses
    averaged with learnt softmax weights (SiamRPN++'s layer-wise
    aggregation; SBT's Table 7 "layer-wise aggregation with DW-Corr").

    Takes ``search_levels`` / ``template_levels`` of the backbone output
    (e.g. :class:`~mmtrack_ext.models.backbones.SBT` with ``out_blocks``);
    every level must have the same spatial size.

    Args:
        in_channels: channels per level (an int for all levels).
        channels: projected channels of every correlation (and the output).
        num_levels: number of levels (needed when ``in_channels`` is an
            int).
        kernel_size: see :class:`DepthwiseCorrelation`.
    """

    def __init__(self,
                 in_channels: Union[int, Sequence[int]],
                 channels: int = 256,
                 num_levels: Optional[int] = None,
                 kernel_size: Optional[int] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if isinstance(in_channels, int):
            if num_levels is None:
                raise ValueError('num_levels is needed when in_channels is '
                                 'one int')
            in_channels = [in_channels] * num_levels
        elif num_levels is not None and num_levels != len(in_channels):
            raise ValueError(f'num_levels={num_levels} but {len(in_channels)}'
                             ' in_channels')
        self.corrs = nn.ModuleList([
            DepthwiseCorrelation(c, channels, kernel_size)
            for c in in_channels
        ])
        self.level_weights = nn.Parameter(torch.zeros(len(in_channels)))
        self.out_channels = channels

    def forward(self, feats: BackboneOutput) -> BackboneOutput:
        """Returns ``feats`` with ``search`` replaced by the
        ``(B, channels, H, W)`` weighted mean of the level responses."""
        s_levels, t_levels = feats.search_levels, feats.template_levels
        if not s_levels or not t_levels or len(s_levels) != len(self.corrs):
            raise ValueError(
                f'LayerwiseCorrelation expects {len(self.corrs)} search and '
                'template levels in the backbone output (set the '
                "backbone's out_blocks)")
        weights = self.level_weights.softmax(dim=0)
        out = 0
        for w, corr, s, t in zip(weights, self.corrs, s_levels, t_levels):
            out = out + w * corr(feats.replace(search=s, template=t)).search
        return feats.replace(search=out)
