"""A third-party backbone that uses an extra: the template's target box."""
from typing import Dict, Optional

import torch.nn as nn
from torch import Tensor

from mmtrack_ext.models.backbones import OneStreamViT
from mmtrack_ext.registry import MODELS


@MODELS.register_module()
class BoxPromptedViT(OneStreamViT):
    """:class:`OneStreamViT` whose template tokens are told where the target
    is: an MLP embeds the template box and adds it to every template token.

    It lists ``template_boxes`` in ``accepted_extras``, so the tracker passes
    the box of each template in its crop, ``(B, T, 4)`` ``xyxy`` normalised
    to ``[0, 1]``: in training from the packed samples, in tracking from the
    crop window of the init box (and of every template update).

    Args:
        box_hidden: hidden width of the box MLP.
        **kwargs: as for :class:`OneStreamViT`.
    """
    accepted_extras = OneStreamViT.accepted_extras + ('template_boxes', )

    def __init__(self, box_hidden: int = 64, **kwargs):
        super().__init__(**kwargs)
        self.box_embed = nn.Sequential(
            nn.Linear(4, box_hidden), nn.GELU(),
            nn.Linear(box_hidden, self.embed_dim))

    def encode_template(self, template: Tensor,
                        template_boxes: Optional[Tensor] = None,
                        **extras) -> Dict[str, Tensor]:
        memory = super().encode_template(template, **extras)
        if template_boxes is None:
            raise ValueError('BoxPromptedViT needs template_boxes')
        t, hz, wz = memory['grid']
        b = template_boxes.shape[0]
        prompt = self.box_embed(template_boxes.to(memory['tokens'].dtype))
        tokens = memory['tokens'].reshape(b, t, hz * wz, self.embed_dim)
        memory['tokens'] = (tokens + prompt[:, :, None]).flatten(1, 2)
        return memory
