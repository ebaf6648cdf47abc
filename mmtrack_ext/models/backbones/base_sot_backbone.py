"""The backbone contract of mmtrack_ext."""
from typing import Any

from mmengine.model import BaseModule
from torch import Tensor


class BaseSOTBackbone(BaseModule):
    """Base class of SOT backbones.

    A backbone is split in two for tracking: :meth:`encode_template` runs once
    per video (or per template update) and returns a *memory* holding as much
    of the template computation as the backbone's attention pattern allows;
    :meth:`encode_search` runs every frame. Training calls :meth:`forward`,
    which is exactly ``encode_search(search, encode_template(template))``, so
    training and tracking share one code path.

    Subclasses set ``out_channels`` (channels of the search feature map) and
    ``out_stride`` (search-image pixels per feature cell).
    """
    out_channels: int
    out_stride: int

    def encode_template(self, template: Tensor, **extras) -> Any:
        """Encode ``(B, T, 3, h, w)`` or ``(B, 3, h, w)`` template(s)."""
        raise NotImplementedError

    def encode_search(self, search: Tensor, memory: Any, **extras) -> Tensor:
        """Encode the ``(B, 3, H, W)`` search image against ``memory``.

        Returns:
            Tensor: search features ``(B, C, H / stride, W / stride)``.
        """
        raise NotImplementedError

    def forward(self, template: Tensor, search: Tensor, **extras) -> Tensor:
        return self.encode_search(
            search, self.encode_template(template, **extras), **extras)
