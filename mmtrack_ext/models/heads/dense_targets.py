"""Dense per-cell training targets of the box heads: which cells of a
search map are positives, and the Gaussian targets and weights around the
box centre. Boxes are ``(B, 4)`` xyxy normalised to the map; cells are unit
squares, cell ``(i, j)`` centred at ``(j + 0.5, i + 0.5)``."""
from typing import Optional

import torch
from torch import Tensor

__all__ = ['cell_centres', 'inside_box_cells', 'gaussian_radius',
           'gaussian_heatmap', 'box_gaussian_weights']


def cell_centres(h: int, w: int, device, dtype=torch.float32) -> Tensor:
    """``(H, W, 2)`` ``(x, y)`` centres of the cells of an ``H x W`` map, in
    cell units (``j + 0.5``, ``i + 0.5``)."""
    ys = torch.arange(h, device=device, dtype=dtype) + 0.5
    xs = torch.arange(w, device=device, dtype=dtype) + 0.5
    return torch.stack(torch.meshgrid(xs, ys, indexing='xy'), dim=-1)


def inside_box_cells(boxes: Tensor, positive: Tensor, size,
                     center_radius: Optional[float] = None,
                     cell_offset: float = 0.5) -> Tensor:
    """``(B, H, W)`` bool: cells whose centre lies inside the box, for
    positive pairs only; a box that contains no cell centre (smaller than a
    cell) gets the cell holding its centre.

    Args:
        boxes: ``(B, 4)`` xyxy normalised to the map.
        positive: ``(B,)`` bool pair labels.
        size: ``(H, W)``.
        center_radius: if set, only cells whose centre is also within this
            many cells of the box centre along both axes (FCOS's centre
            sampling, radius in cells).
        cell_offset: the point of cell ``j`` tested against the box,
            ``j + cell_offset`` cells: 0.5 its centre; 0 its top-left corner
            (TransT's assignment, ``x1 <= j / W <= x2``).
    """
    h, w = size
    scaled = boxes * boxes.new_tensor([w, h, w, h])
    centres = cell_centres(h, w, boxes.device, boxes.dtype) + (
        cell_offset - 0.5)
    x, y = centres[..., 0][None], centres[..., 1][None]
    x1, y1, x2, y2 = (v[:, None, None] for v in scaled.unbind(-1))
    inside = (x >= x1) & (x <= x2) & (y >= y1) & (y <= y2)
    if center_radius is not None:
        bx = ((x1 + x2) * 0.5 - x).abs()
        by = ((y1 + y2) * 0.5 - y).abs()
        inside &= (bx <= center_radius) & (by <= center_radius)
    cx = ((scaled[:, 0] + scaled[:, 2]) * 0.5).floor().long().clamp(0, w - 1)
    cy = ((scaled[:, 1] + scaled[:, 3]) * 0.5).floor().long().clamp(0, h - 1)
    # a box that covers no cell's test point keeps the cell of its centre
    empty = ~inside.flatten(1).any(dim=1)
    idx = torch.arange(len(boxes), device=boxes.device)
    inside[idx, cy, cx] |= empty
    return inside & positive[:, None, None]


def gaussian_radius(height: Tensor, width: Tensor,
                    min_overlap: float = 0.7) -> Tensor:
    """CornerNet radius (in cells) keeping IoU >= ``min_overlap`` for a box
    whose corners move by the radius; smallest of the three cases.

    This is the formula as released with CornerNet/CenterNet/OSTrack (its
    known deviations from the exact bound are kept so heatmaps match theirs).
    """
    a1, b1 = 1, height + width
    c1 = width * height * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + torch.sqrt(b1**2 - 4 * a1 * c1)) / 2
    a2, b2 = 4, 2 * (height + width)
    c2 = (1 - min_overlap) * width * height
    r2 = (b2 + torch.sqrt(b2**2 - 4 * a2 * c2)) / 2
    a3, b3 = 4 * min_overlap, -2 * min_overlap * (height + width)
    c3 = (min_overlap - 1) * width * height
    r3 = (b3 + torch.sqrt(b3**2 - 4 * a3 * c3)) / 2
    return torch.minimum(torch.minimum(r1, r2), r3)


def gaussian_heatmap(boxes: Tensor, positive: Tensor, size) -> Tensor:
    """Gaussian target heatmaps ``(B, 1, H, W)`` for normalised xyxy boxes.

    The peak (exactly 1) is the cell containing the box centre; sigma is
    ``(2 * radius + 1) / 6`` with the CornerNet radius of the box in cells.
    Negative pairs get an all-zero map.
    """
    h, w = size
    cx = (boxes[:, 0] + boxes[:, 2]) * 0.5 * w
    cy = (boxes[:, 1] + boxes[:, 3]) * 0.5 * h
    ix = cx.floor().clamp(0, w - 1)
    iy = cy.floor().clamp(0, h - 1)
    bw = ((boxes[:, 2] - boxes[:, 0]) * w).clamp(min=1e-3)
    bh = ((boxes[:, 3] - boxes[:, 1]) * h).clamp(min=1e-3)
    radius = gaussian_radius(bh, bw).floor().clamp(min=0)
    sigma = (2 * radius + 1) / 6
    ys = torch.arange(h, device=boxes.device, dtype=boxes.dtype)
    xs = torch.arange(w, device=boxes.device, dtype=boxes.dtype)
    dy2 = (ys[None, :] - iy[:, None])**2
    dx2 = (xs[None, :] - ix[:, None])**2
    heat = torch.exp(-(dy2[:, :, None] + dx2[:, None, :]) /
                     (2 * sigma[:, None, None]**2))
    heat = heat * positive[:, None, None].to(heat.dtype)
    return heat[:, None]


def box_gaussian_weights(boxes: Tensor, positive: Tensor, size,
                         beta: float = 1.0) -> Tensor:
    """Regression weights ``(B, H, W)`` of the cells inside each box.

    An elliptical Gaussian centred on the box centre with standard deviations
    ``beta * w / 6`` and ``beta * h / 6`` (in cells) evaluated at the cell
    centres, zero outside the box and for negative pairs (TTFNet's
    Gaussian-weighted dense regression). The cell that contains the centre
    (the peak cell of :func:`gaussian_heatmap`) gets weight 1, however small
    the box.

    Args:
        boxes: ``(B, 4)`` normalised xyxy boxes.
        positive: ``(B,)`` bool flags of positive pairs.
        size: ``(H, W)`` of the map.
        beta: size of the Gaussian relative to the box.
    """
    h, w = size
    x1, y1, x2, y2 = (boxes * boxes.new_tensor([w, h, w, h])).unbind(-1)
    cx, cy = (x1 + x2) * 0.5, (y1 + y2) * 0.5
    sx = ((x2 - x1) * beta / 6).clamp(min=1e-2)
    sy = ((y2 - y1) * beta / 6).clamp(min=1e-2)
    xs = torch.arange(w, device=boxes.device, dtype=boxes.dtype) + 0.5
    ys = torch.arange(h, device=boxes.device, dtype=boxes.dtype) + 0.5
    gx = torch.exp(-(xs[None] - cx[:, None])**2 / (2 * sx[:, None]**2))
    gy = torch.exp(-(ys[None] - cy[:, None])**2 / (2 * sy[:, None]**2))
    gx = gx * ((xs[None] >= x1[:, None]) & (xs[None] <= x2[:, None]))
    gy = gy * ((ys[None] >= y1[:, None]) & (ys[None] <= y2[:, None]))
    weights = gy[:, :, None] * gx[:, None, :]
    # the centre cell, also when the box is smaller than a cell
    iy = cy.floor().long().clamp(0, h - 1)
    ix = cx.floor().long().clamp(0, w - 1)
    idx = torch.arange(len(boxes), device=boxes.device)
    weights[idx, iy, ix] = 1.0
    return weights * positive[:, None, None].to(weights.dtype)
