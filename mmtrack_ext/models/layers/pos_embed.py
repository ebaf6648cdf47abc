"""Fixed 2-D sine-cosine positional embeddings of token grids."""
import math

import torch
from torch import Tensor

from .target_token import sincos_box_embedding

__all__ = ['sincos_grid_embedding']


def sincos_grid_embedding(h: int, w: int, dim: int, device=None) -> Tensor:
    """MAE's fixed 2-D sine-cosine embedding of an ``h x w`` token grid.

    Row-major ``(h * w, dim)``: the first ``dim / 2`` channels encode the
    column index ``j``, the last ``dim / 2`` the row index ``i``, each as
    ``dim / 4`` sines then ``dim / 4`` cosines of ``index / 10000 **
    (k / (dim / 4))`` (integer grid indices, not normalised; the layout of
    MAE's ``get_2d_sincos_pos_embed``, so an encoder or decoder trained with
    MAE's tables sees the same numbers).

    Args:
        h, w: grid size in tokens.
        dim: embedding width, a multiple of 4.

    Returns:
        ``(h * w, dim)`` float32.
    """
    if dim % 4:
        raise ValueError(f'2-D sin-cos embedding needs a width divisible by '
                         f'4, got {dim}')
    rows = torch.arange(h, device=device, dtype=torch.float32)
    cols = torch.arange(w, device=device, dtype=torch.float32)
    grid = torch.stack(torch.meshgrid(cols, rows, indexing='xy'), dim=-1)
    # sincos_box_embedding multiplies by 2 pi: undo it for integer indices
    return sincos_box_embedding(grid.reshape(-1, 2) / (2 * math.pi), dim)
