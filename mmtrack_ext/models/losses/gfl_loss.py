"""Generalized Focal Loss (Li et al., NeurIPS 2020): quality focal loss and
distribution focal loss, used by distribution (GFL) heads."""
from typing import Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmtrack_ext.registry import MODELS
from .utils import weighted_reduce

__all__ = [
    'quality_focal_loss', 'distribution_focal_loss', 'integral',
    'QualityFocalLoss', 'DistributionFocalLoss'
]


def quality_focal_loss(pred: Tensor, target: Tensor, beta: float = 2.0,
                       use_sigmoid: bool = True) -> Tensor:
    """Element-wise QFL (GFL Eq. 5, JN Eq. 8).

    ``-|y - s|^beta * ((1 - y) log(1 - s) + y log(s))`` with the soft
    target ``y`` in [0, 1] (the IoU of the predicted box for positives, 0 for
    negatives).

    Args:
        pred: ``(...)`` quality logits (``use_sigmoid``; ``s =
            sigmoid(pred)``, computed without ``log(0)``) or probabilities
            ``s`` (e.g. a classification score times an estimated quality,
            GFLv2 / JN Eq. 3), clamped away from 0 and 1.
        target: ``(...)`` soft targets in [0, 1].
        beta: focusing exponent.
        use_sigmoid: whether ``pred`` holds logits.

    Returns:
        Tensor: ``(...)`` losses.
    """
    pred = pred.float()
    target = target.to(pred)
    if use_sigmoid:
        prob = pred.sigmoid()
        bce = F.binary_cross_entropy_with_logits(pred, target,
                                                 reduction='none')
    else:
        prob = pred.clamp(1e-6, 1 - 1e-6)
        bce = F.binary_cross_entropy(prob, target, reduction='none')
    return bce * (target - prob).abs().pow(beta)


def distribution_focal_loss(logits: Tensor, target: Tensor) -> Tensor:
    """Element-wise DFL (GFL Eq. 6, JN Eq. 9).

    For a continuous target ``y`` between the bins ``y_i = floor(y)`` and
    ``y_{i+1} = y_i + 1``: ``-((y_{i+1} - y) log S_i + (y - y_i) log
    S_{i+1})`` with ``S = softmax(logits)``.

    Args:
        logits: ``(N, n + 1)`` distribution logits over the bins ``0..n``.
        target: ``(N,)`` distances in bin units, clamped to ``[0, n]`` (a
            target of exactly ``n`` trains the last bin alone).

    Returns:
        Tensor: ``(N,)`` losses.
    """
    logits = logits.float()
    n = logits.shape[-1] - 1
    target = target.to(logits).clamp(0, n)
    left = target.floor().long().clamp(max=n - 1)
    right = left + 1
    w_left = right.to(logits) - target
    w_right = target - left.to(logits)
    log_p = F.log_softmax(logits, dim=-1)
    return -(log_p.gather(-1, left[:, None])[:, 0] * w_left +
             log_p.gather(-1, right[:, None])[:, 0] * w_right)


@MODELS.register_module()
class QualityFocalLoss(nn.Module):
    """:func:`quality_focal_loss` reduced with ``weight`` / ``avg_factor``.

    Args:
        beta: focusing exponent (2 in GFL and JN).
        use_sigmoid: the predictions are logits (else probabilities).
        loss_weight: multiplier of the loss.
    """

    def __init__(self, beta: float = 2.0, use_sigmoid: bool = True,
                 loss_weight: float = 1.0):
        super().__init__()
        self.beta, self.loss_weight = float(beta), float(loss_weight)
        self.use_sigmoid = bool(use_sigmoid)

    def forward(self, pred: Tensor, target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[Union[Tensor, float]] = None) -> Tensor:
        """``pred`` and ``target`` ``(...)``; returns a scalar."""
        loss = quality_focal_loss(pred, target, self.beta, self.use_sigmoid)
        return self.loss_weight * weighted_reduce(loss, weight, avg_factor)


@MODELS.register_module()
class DistributionFocalLoss(nn.Module):
    """:func:`distribution_focal_loss` reduced with ``weight`` /
    ``avg_factor``.

    Args:
        loss_weight: multiplier of the loss (0.25 in GFL, 0.2 in JN).
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = float(loss_weight)

    def forward(self, logits: Tensor, target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[Union[Tensor, float]] = None) -> Tensor:
        """``logits`` ``(N, n + 1)``, ``target`` ``(N,)``; returns a
        scalar."""
        loss = distribution_focal_loss(logits, target)
        return self.loss_weight * weighted_reduce(loss, weight, avg_factor)


def integral(logits: Tensor) -> Tensor:
    """Expected value of a discretised distribution (GFL Eq. 1, JN Eq. 1).

    Args:
        logits: ``(..., n + 1)`` logits over the bins ``0..n``.

    Returns:
        Tensor: ``(...)`` ``sum_i softmax(logits)_i * i`` in ``[0, n]``.
    """
    n = logits.shape[-1] - 1
    bins = torch.arange(n + 1, device=logits.device, dtype=torch.float32)
    return logits.float().softmax(dim=-1) @ bins
