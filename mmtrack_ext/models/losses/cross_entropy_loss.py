"""Cross-entropy with per-class weights (TransT / SBT / TransInMo)."""
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmtrack_ext.registry import MODELS
from .utils import weighted_reduce


@MODELS.register_module()
class CrossEntropyLoss(nn.Module):
    """Softmax cross-entropy over classes with optional class weights.

    With ``class_weight`` and no ``avg_factor`` the weighted sum is divided
    by the sum of the weights of the targets (``torch``'s weighted mean),
    which is how TransT / SBT weigh the background class of their per-cell
    classification (``class_weight=[1, 0.0625]`` with foreground class 0,
    background class 1; or ``[0.0625, 1]`` with background first).

    With ``use_sigmoid`` it is the binary cross-entropy of independent
    logits against targets of the same shape in [0, 1] (e.g. JN's corner
    maps of negative pairs trained towards all zeros).

    Args:
        class_weight: one weight per class, or None (softmax only).
        loss_weight: multiplier of the loss.
        ignore_index: targets with this value contribute nothing (softmax).
        use_sigmoid: binary cross-entropy with logits instead.
    """

    def __init__(self, class_weight: Optional[Sequence[float]] = None,
                 loss_weight: float = 1.0, ignore_index: int = -100,
                 use_sigmoid: bool = False):
        super().__init__()
        if use_sigmoid and class_weight is not None:
            raise ValueError('class_weight applies to the softmax form, not '
                             'to use_sigmoid=True')
        self.use_sigmoid = bool(use_sigmoid)
        self.loss_weight = float(loss_weight)
        self.ignore_index = int(ignore_index)
        if class_weight is not None:
            self.register_buffer(
                'class_weight',
                torch.tensor([float(w) for w in class_weight]),
                persistent=False)
        else:
            self.class_weight = None

    def forward(self, logits: Tensor, target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[Union[Tensor, float]] = None
                ) -> Tensor:
        """Loss of ``logits`` ``(N, K, ...)`` against class indices
        ``target`` ``(N, ...)`` (long), or with ``use_sigmoid`` of logits
        against same-shaped targets in [0, 1].

        Args:
            weight: optional per-element weights ``(N, ...)``.
            avg_factor: divisor of the weighted sum; None gives the
                (class-)weighted mean.

        Returns:
            Tensor: a scalar.
        """
        logits = logits.float()
        if self.use_sigmoid:
            loss = F.binary_cross_entropy_with_logits(
                logits, target.to(logits), reduction='none')
            return self.loss_weight * weighted_reduce(loss, weight,
                                                      avg_factor)
        if (self.class_weight is not None
                and logits.shape[1] != len(self.class_weight)):
            raise ValueError(
                f'CrossEntropyLoss: {logits.shape[1]} classes in the logits '
                f'but {len(self.class_weight)} class weights')
        target = target.long()
        loss = F.cross_entropy(logits, target, reduction='none',
                               ignore_index=self.ignore_index)
        # per-element weights; torch's (weighted) mean divides by their sum
        elem = (target != self.ignore_index).to(loss)
        if self.class_weight is not None:
            elem = elem * self.class_weight.to(loss)[target.clamp(min=0)]
        if weight is not None:
            elem = elem * weight
        if avg_factor is None:
            avg_factor = elem.sum()
        return self.loss_weight * weighted_reduce(loss, elem, avg_factor)
