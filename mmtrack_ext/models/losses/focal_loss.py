"""Focal loss on Gaussian heatmaps (CenterNet/OSTrack)."""
from typing import Optional, Union

import torch.nn as nn
from torch import Tensor

from mmtrack_ext.registry import MODELS
from .utils import normalizer


def gaussian_focal_loss(pred: Tensor, target: Tensor, alpha: float = 2.,
                        beta: float = 4., eps: float = 1e-12,
                        avg_factor: Optional[Union[Tensor, float]] = None,
                        weight: Optional[Tensor] = None) -> Tensor:
    """Penalty-reduced focal loss summed over all cells, divided by the
    number of positive cells.

    Args:
        pred: ``(B, 1, H, W)`` probabilities in (0, 1).
        target: ``(B, 1, H, W)`` Gaussian heatmap; cells equal to 1 are
            positive, others are negatives down-weighted by
            ``(1 - target) ** beta``. An all-zero map (a negative pair)
            trains every cell towards 0.
        avg_factor: the divisor; default the number of positive cells,
            averaged over processes, at least 1 (:func:`~.utils.normalizer`).
        weight: optional per-cell weights broadcastable to ``pred`` (e.g.
            1 for the maps of negative pairs only).

    Returns:
        Tensor: a scalar.
    """
    pred = pred.float()
    pos = target.eq(1).float()
    neg_weight = (1 - target).pow(beta)
    pos_loss = -(pred + eps).log() * (1 - pred).pow(alpha) * pos
    neg_loss = -(1 - pred + eps).log() * pred.pow(alpha) * neg_weight * (
        1 - pos)
    loss = pos_loss + neg_loss
    if weight is not None:
        loss = loss * weight
        pos = pos * weight
    if avg_factor is None:
        avg_factor = normalizer(pos.sum())
    return loss.sum() / avg_factor


@MODELS.register_module()
class GaussianFocalLoss(nn.Module):
    """Module wrapper of :func:`gaussian_focal_loss` with a loss weight."""

    def __init__(self, alpha: float = 2., beta: float = 4.,
                 loss_weight: float = 1.):
        super().__init__()
        self.alpha, self.beta, self.loss_weight = alpha, beta, loss_weight

    def forward(self, pred: Tensor, target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[Union[Tensor, float]] = None) -> Tensor:
        return self.loss_weight * gaussian_focal_loss(
            pred, target, self.alpha, self.beta, avg_factor=avg_factor,
            weight=weight)
