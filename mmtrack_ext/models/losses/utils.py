"""Loss reduction shared by every loss: weights, normalisers, processes.

Normalisers (the number of positive samples or cells) are tensors that stay
on the device: nothing here synchronises with the host, so a CUDA step is
not stalled once per loss. Under ``torch.distributed`` a normaliser is the
mean over the processes (as MMDetection does), so every process divides its
summed loss by the same number and the gradient that DDP averages equals
the loss of the global batch.
"""
from typing import Optional, Union

import torch
import torch.distributed as dist
from torch import Tensor

__all__ = ['reduce_mean', 'normalizer', 'weighted_reduce']


def reduce_mean(tensor: Tensor) -> Tensor:
    """Mean of ``tensor`` over all processes (itself without
    ``torch.distributed``); not differentiated."""
    if not (dist.is_available() and dist.is_initialized()):
        return tensor
    tensor = tensor.detach().clone()
    dist.all_reduce(tensor.div_(dist.get_world_size()),
                    op=dist.ReduceOp.SUM)
    return tensor


def normalizer(count: Union[Tensor, float], minimum: float = 1.0,
               device=None) -> Tensor:
    """``count`` averaged over the processes and clamped to ``minimum``.

    Args:
        count: a number or a scalar tensor, e.g. ``positive.sum()``.
        minimum: lower bound (1: a batch without positives divides by 1).
        device: device of the result when ``count`` is a number.

    Returns:
        Tensor: a detached float scalar on the device of ``count``.
    """
    if not isinstance(count, Tensor):
        count = torch.tensor(float(count), device=device)
    return reduce_mean(count.detach().float()).clamp(min=minimum)


def weighted_reduce(loss: Tensor, weight: Optional[Tensor] = None,
                    avg_factor: Optional[Union[Tensor, float]] = None
                    ) -> Tensor:
    """Element-wise ``loss`` times ``weight``, summed and divided by
    ``avg_factor`` (a tensor or a number), or averaged when it is None.

    An empty ``loss`` gives 0 (connected to the graph when it has one).
    """
    if weight is not None:
        loss = loss * weight
    if avg_factor is None:
        return loss.mean() if loss.numel() else loss.sum()
    if isinstance(avg_factor, Tensor):
        return loss.sum() / avg_factor.clamp(min=1e-6)
    return loss.sum() / max(float(avg_factor), 1e-6)
