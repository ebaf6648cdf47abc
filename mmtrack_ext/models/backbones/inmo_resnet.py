"""CNNInMo's backbone: a Siamese ResNet with interaction modules (GIM)
inside, after chosen stages of the search branch (InBN)."""
from typing import Optional, Sequence

import torch
import torch.nn as nn
from torch import Tensor

from mmtrack_ext.registry import MODELS
from ..layers import GIM
from .siamese_resnet import _STAGE_CHANNELS, SiameseResNet


@MODELS.register_module()
class InMoResNet(SiameseResNet):
    """:class:`SiameseResNet` with a :class:`~mmtrack_ext.models.layers.GIM`
    after each stage in ``gim_stages`` of the search branch (CNNInMo: every
    stage of SiamCAR's ResNet-50, dilated stages 3-4, stride 8).

    The template branch is a plain ResNet, so every stage output of the
    template is computed once per video (``encode_template``) and each
    search stage's GIM reads the template output of the same stage (TCA).
    With several templates their maps are placed side by side (keys from
    all of them).

    Args:
        gim_stages: 1-based stages followed by a GIM (``None``: every
            stage kept; ``()``: the plain Siamese ResNet, e.g. to check
            converted weights).
        gim: arguments of every :class:`GIM` (``channels`` filled in per
            stage), e.g. ``dict(modules=('tca', 'csa'), window_size=8,
            attention='query_softmax')`` for the reference code's GIM.
        **kwargs: :class:`SiameseResNet` arguments (``depth``,
            ``out_stage``, ``dilated_stages``, ``out_levels``,
            ``pretrained``...).
    """

    def __init__(self,
                 gim_stages: Optional[Sequence[int]] = None,
                 gim: Optional[dict] = None,
                 **kwargs):
        super().__init__(**kwargs)
        depth = kwargs.get('depth', 50)
        if gim_stages is None:
            gim_stages = range(1, len(self.stages) + 1)
        self.gim_stages = tuple(int(s) for s in gim_stages)
        if any(not 1 <= s <= len(self.stages) for s in self.gim_stages):
            raise ValueError(f'gim_stages {self.gim_stages} must be stages '
                             f'1..{len(self.stages)}')
        self.gims = nn.ModuleDict({
            str(s): GIM(_STAGE_CHANNELS[depth][s - 1], **(gim or {}))
            for s in self.gim_stages
        })

    def interact(self, stage: int, x: Tensor,
                 template: Optional[Tensor]) -> Tensor:
        gim = self.gims[str(stage + 1)] if str(
            stage + 1) in self.gims else None
        if gim is None:
            return x
        b = x.shape[0]
        if template.shape[0] > b and template.shape[0] % b == 0:
            t = template.shape[0] // b  # several templates: side by side
            template = template.reshape(b, t, *template.shape[1:])
            template = torch.cat(template.unbind(1), dim=-1)
        return gim(x, template)
