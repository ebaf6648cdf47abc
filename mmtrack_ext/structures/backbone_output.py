"""The one output structure of every backbone and neck."""
from dataclasses import dataclass, field, replace
from typing import Dict, List, Optional

from torch import Tensor

__all__ = ['BackboneOutput']


@dataclass
class BackboneOutput:
    """Features of one batch of template/search pairs.

    Backbones return it from ``encode_search`` (and ``forward``); necks take
    one and return one with ``search`` replaced (``dataclasses.replace``), so
    the other fields travel to every head, score head and auxiliary head.
    Nothing is passed through module attributes.

    Attributes:
        search: ``(B, C, H, W)`` search feature map (the head's input).
        template: ``(B, T, C, h, w)`` template feature maps (the encoded
            template tokens of a one-stream backbone, reshaped to their
            grids; the cached maps of a Siamese one), or ``None``.
        cls_token: ``(B, C)`` output of a class token, or ``None``.
        search_levels: multi-level search maps ``[(B, C_l, H_l, W_l)]``
            (finest first) for backbones that have them, else ``None``.
        template_levels: the same for templates ``[(B, T, C_l, h_l, w_l)]``.
        extras: method-specific tensors (e.g. ``search_mask`` of masked
            tokens, attention maps), keyed by name.
    """
    search: Tensor
    template: Optional[Tensor] = None
    cls_token: Optional[Tensor] = None
    search_levels: Optional[List[Tensor]] = None
    template_levels: Optional[List[Tensor]] = None
    extras: Dict[str, Tensor] = field(default_factory=dict)

    @property
    def search_tokens(self) -> Tensor:
        """``(B, H * W, C)`` search features as tokens (row-major)."""
        return self.search.flatten(2).transpose(1, 2)

    @property
    def template_tokens(self) -> Tensor:
        """``(B, T * h * w, C)`` template features as tokens."""
        if self.template is None:
            raise AttributeError('this backbone output holds no template '
                                 'features')
        b, t, c = self.template.shape[:3]
        return self.template.permute(0, 1, 3, 4, 2).reshape(b, -1, c)

    def replace(self, **changes) -> 'BackboneOutput':
        """A copy with the given fields changed (tensors are not copied)."""
        return replace(self, **changes)
