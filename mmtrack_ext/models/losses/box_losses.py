"""Box regression losses on normalised ``xyxy`` boxes."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor
from torchvision.ops import (complete_box_iou_loss, distance_box_iou_loss,
                             generalized_box_iou_loss)

from mmtrack_ext.registry import MODELS


def _reduce(loss: Tensor, weight: Optional[Tensor],
            avg_factor: Optional[float]) -> Tensor:
    if weight is not None:
        loss = loss * weight
    if avg_factor is None:
        return loss.mean() if loss.numel() else loss.sum()
    return loss.sum() / max(float(avg_factor), 1e-6)


@MODELS.register_module()
class IoULossFamily(nn.Module):
    """GIoU / DIoU / CIoU loss (``torchvision.ops``) on aligned ``xyxy``.

    Args:
        mode: ``'giou'``, ``'diou'`` or ``'ciou'``.
        loss_weight: multiplier of the loss.
    """
    _FUNCS = dict(
        giou=generalized_box_iou_loss,
        diou=distance_box_iou_loss,
        ciou=complete_box_iou_loss)

    def __init__(self, mode: str = 'giou', loss_weight: float = 1.,
                 eps: float = 1e-7):
        super().__init__()
        if mode not in self._FUNCS:
            raise ValueError(f'mode must be one of {list(self._FUNCS)}')
        self.mode, self.loss_weight, self.eps = mode, loss_weight, eps

    def forward(self, pred: Tensor, target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[float] = None) -> Tensor:
        """``pred``/``target``: ``(N, 4)`` xyxy; returns a scalar."""
        loss = self._FUNCS[self.mode](
            pred.float(), target.float(), reduction='none', eps=self.eps)
        return self.loss_weight * _reduce(loss, weight, avg_factor)


@MODELS.register_module()
class GIoULoss(IoULossFamily):
    """Generalised IoU loss (``1 - GIoU``)."""

    def __init__(self, loss_weight: float = 1., eps: float = 1e-7):
        super().__init__('giou', loss_weight, eps)


@MODELS.register_module()
class L1Loss(nn.Module):
    """L1 loss averaged over coordinates (and boxes)."""

    def __init__(self, loss_weight: float = 1.):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, pred: Tensor, target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[float] = None) -> Tensor:
        loss = F.l1_loss(pred.float(), target.float(), reduction='none')
        loss = loss.mean(-1)
        return self.loss_weight * _reduce(loss, weight, avg_factor)
