"""Box regression losses on normalised ``xyxy`` boxes."""
from typing import Optional, Union

import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures.boxes import aligned_iou
from .utils import weighted_reduce


@MODELS.register_module()
class IoULossFamily(nn.Module):
    """GIoU / DIoU / CIoU loss ``1 - overlap`` on aligned ``xyxy`` boxes.

    The overlaps are :func:`~mmtrack_ext.structures.aligned_iou`'s (equal to
    ``torchvision.ops`` on valid boxes, to 1e-7); a degenerate predicted box
    (``x2 < x1``) has area 0, so the loss stays in ``[0, 2]`` instead of
    going negative (a soft-argmax corner head otherwise learns inverted
    boxes: the Siamese tiny config reached loss_iou -26 and AO 0.0007).

    Args:
        mode: ``'giou'``, ``'diou'`` or ``'ciou'``.
        loss_weight: multiplier of the loss.
    """
    _FUNCS = ('giou', 'diou', 'ciou')

    def __init__(self, mode: str = 'giou', loss_weight: float = 1.,
                 eps: float = 1e-7):
        super().__init__()
        if mode not in self._FUNCS:
            raise ValueError(f'mode must be one of {list(self._FUNCS)}')
        self.mode, self.loss_weight, self.eps = mode, loss_weight, eps

    def forward(self, pred: Tensor, target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[Union[Tensor, float]] = None
                ) -> Tensor:
        """Loss of aligned boxes.

        Args:
            pred, target: ``(..., 4)`` xyxy boxes (any units, the same in
                both).
            weight: optional ``(...)`` per-box weights.
            avg_factor: divide the weighted sum by this (a tensor or a
                number, e.g. a :func:`~.utils.normalizer`); None averages.

        Returns:
            Tensor: a scalar.
        """
        # structures' aligned_iou, not torchvision.ops: an inverted predicted
        # box (corner heads) gets area 0 there, so the loss stays in [0, 2]
        loss = 1 - aligned_iou(pred.float(), target.float(), eps=self.eps,
                               mode=self.mode)
        return self.loss_weight * weighted_reduce(loss, weight, avg_factor)


@MODELS.register_module()
class GIoULoss(IoULossFamily):
    """Generalised IoU loss (``1 - GIoU``)."""

    def __init__(self, loss_weight: float = 1., eps: float = 1e-7):
        super().__init__('giou', loss_weight, eps)


@MODELS.register_module()
class IoULoss(nn.Module):
    """IoU loss on aligned ``xyxy`` boxes: ``-log(IoU)`` (UnitBox, FCOS,
    SiamCAR; ``log=True``) or ``1 - IoU``.

    Args:
        log: the logarithmic form (IoU clamped to ``eps``).
        loss_weight: multiplier of the loss.
    """

    def __init__(self, log: bool = True, loss_weight: float = 1.,
                 eps: float = 1e-6):
        super().__init__()
        self.log, self.loss_weight, self.eps = bool(log), loss_weight, eps

    def forward(self, pred: Tensor, target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[Union[Tensor, float]] = None
                ) -> Tensor:
        """``pred``/``target``: ``(..., 4)``; reduced like
        :class:`IoULossFamily`; returns a scalar."""
        iou = aligned_iou(pred.float(), target.float(), eps=self.eps)
        loss = -iou.clamp(min=self.eps).log() if self.log else 1 - iou
        return self.loss_weight * weighted_reduce(loss, weight, avg_factor)


@MODELS.register_module()
class L1Loss(nn.Module):
    """L1 loss averaged (STARK, OSTrack) or summed (``sum_coords``: DETR,
    TransT, SBT) over the four coordinates of a box; then reduced over boxes
    like :class:`IoULossFamily` (``weight``, ``avg_factor``)."""

    def __init__(self, loss_weight: float = 1., sum_coords: bool = False):
        super().__init__()
        self.loss_weight = loss_weight
        self.sum_coords = bool(sum_coords)

    def forward(self, pred: Tensor, target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[Union[Tensor, float]] = None
                ) -> Tensor:
        """``pred``/``target``: ``(..., 4)``; returns a scalar."""
        loss = F.l1_loss(pred.float(), target.float(), reduction='none')
        loss = loss.sum(-1) if self.sum_coords else loss.mean(-1)
        return self.loss_weight * weighted_reduce(loss, weight, avg_factor)
