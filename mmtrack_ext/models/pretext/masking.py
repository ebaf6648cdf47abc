"""Which patches of a token grid stay visible in masked pre-training, and
the patch targets of pixel reconstruction."""
from typing import Optional, Tuple

import torch
from torch import Tensor

__all__ = ['random_keep', 'grid_keep', 'patchify', 'unpatchify',
           'masked_patch_mse']


def random_keep(batch: int, num: int, mask_ratio: float,
                device=None, generator: Optional[torch.Generator] = None
                ) -> Tensor:
    """MAE's random masking: per sample, ``int(num * (1 - mask_ratio))``
    patches chosen uniformly stay visible.

    Returns:
        ``(batch, K)`` long indices of the visible patches, sorted.
    """
    if not 0. <= mask_ratio < 1.:
        raise ValueError(f'mask_ratio must be in [0, 1), got {mask_ratio}')
    k = int(num * (1 - mask_ratio))
    noise = torch.rand(batch, num, device=device, generator=generator)
    return noise.argsort(dim=1)[:, :k].sort(dim=1).values


def grid_keep(batch: int, grid: Tuple[int, int], cell: int = 2,
              device=None, generator: Optional[torch.Generator] = None
              ) -> Tensor:
    """Grid-wise masking (MAE Fig. 6, MAT Table 7): one patch of every
    ``cell x cell`` block stays visible (``cell = 2``: a 75 % mask), at an
    offset drawn per sample; blocks cut by the grid border keep the patch
    at that offset when it exists.

    Returns:
        ``(batch, K)`` long sorted indices; ``K`` is the same for every
        offset only when ``cell`` divides both grid sides, otherwise the
        offset is drawn once for the whole batch.
    """
    h, w = grid
    rows = torch.arange(h, device=device)[:, None]
    cols = torch.arange(w, device=device)[None]
    divisible = h % cell == 0 and w % cell == 0
    offsets = torch.randint(0, cell, (1 if not divisible else batch, 2),
                            device=device, generator=generator)
    keep = []
    for oy, ox in offsets.tolist():
        visible = ((rows % cell) == oy) & ((cols % cell) == ox)
        keep.append(visible.flatten().nonzero()[:, 0])
    keep = torch.stack(keep)
    return keep.expand(batch, -1) if keep.shape[0] != batch else keep


def patchify(imgs: Tensor, patch_size: int) -> Tensor:
    """``(B, 3, H, W)`` -> ``(B, H / p * W / p, p * p * 3)`` in MAE's order
    (patches row-major; within a patch: row, column, channel)."""
    b, c, h, w = imgs.shape
    p = patch_size
    if h % p or w % p:
        raise ValueError(f'image {h}x{w} is not a multiple of patch {p}')
    x = imgs.reshape(b, c, h // p, p, w // p, p)
    return x.permute(0, 2, 4, 3, 5, 1).reshape(b, (h // p) * (w // p),
                                               p * p * c)


def unpatchify(patches: Tensor, grid: Tuple[int, int],
               patch_size: int) -> Tensor:
    """Inverse of :func:`patchify`: ``(B, h * w, p * p * 3)`` ->
    ``(B, 3, h * p, w * p)``."""
    b = patches.shape[0]
    h, w = grid
    p = patch_size
    x = patches.reshape(b, h, w, p, p, -1)
    return x.permute(0, 5, 1, 3, 2, 4).reshape(b, -1, h * p, w * p)


def masked_patch_mse(pred: Tensor, target: Tensor,
                     keep: Optional[Tensor]) -> Tensor:
    """Mean squared error per patch (averaged over its pixels), averaged
    over the masked patches (MAE / MAT); over every patch when nothing is
    masked (``keep`` is ``None`` or covers the grid: mask ratio 0).

    Args:
        pred, target: ``(B, N, D)``.
        keep: ``(B, K)`` indices of the visible patches.
    """
    per_patch = ((pred.float() - target.float())**2).mean(dim=-1)
    if keep is None or keep.shape[1] == per_patch.shape[1]:
        return per_patch.mean()
    masked = torch.ones_like(per_patch)
    masked.scatter_(1, keep, 0.)
    return (per_patch * masked).sum() / masked.sum()
