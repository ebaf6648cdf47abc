"""Box conventions of mmtrack_ext: the one place that owns them.

Internally a box is float ``xyxy`` in pixels with ``x2 = x + w`` (continuous
coordinates, no +-1). Files and dataset annotations use ``xywh`` (left, top,
width, height). Every function takes a ``torch.Tensor`` or a
``numpy.ndarray`` of shape ``(..., 4)`` and returns the same type.
"""
import math
from typing import Sequence, Tuple, Union

import numpy as np
import torch
from torch import Tensor

BoxArray = Union[Tensor, np.ndarray]


def _split(boxes: BoxArray):
    return boxes[..., 0], boxes[..., 1], boxes[..., 2], boxes[..., 3]


def _stack(boxes: BoxArray, parts):
    if isinstance(boxes, Tensor):
        return torch.stack(parts, dim=-1)
    return np.stack(parts, axis=-1)


def xywh_to_xyxy(boxes: BoxArray) -> BoxArray:
    """``(x, y, w, h)`` -> ``(x1, y1, x2, y2)`` with ``x2 = x + w``."""
    x, y, w, h = _split(boxes)
    return _stack(boxes, [x, y, x + w, y + h])


def xyxy_to_xywh(boxes: BoxArray) -> BoxArray:
    """``(x1, y1, x2, y2)`` -> ``(x, y, w, h)``."""
    x1, y1, x2, y2 = _split(boxes)
    return _stack(boxes, [x1, y1, x2 - x1, y2 - y1])


def cxcywh_to_xyxy(boxes: BoxArray) -> BoxArray:
    """``(cx, cy, w, h)`` -> ``(x1, y1, x2, y2)``."""
    cx, cy, w, h = _split(boxes)
    return _stack(boxes, [cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w,
                          cy + 0.5 * h])


def xyxy_to_cxcywh(boxes: BoxArray) -> BoxArray:
    """``(x1, y1, x2, y2)`` -> ``(cx, cy, w, h)``."""
    x1, y1, x2, y2 = _split(boxes)
    return _stack(boxes, [(x1 + x2) * 0.5, (y1 + y2) * 0.5, x2 - x1,
                          y2 - y1])


def box_area(boxes: BoxArray) -> BoxArray:
    """Area of ``xyxy`` boxes; degenerate boxes have area 0."""
    x1, y1, x2, y2 = _split(boxes)
    if isinstance(boxes, Tensor):
        return (x2 - x1).clamp(min=0) * (y2 - y1).clamp(min=0)
    return np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)


def aligned_iou(boxes1: BoxArray,
                boxes2: BoxArray,
                eps: float = 1e-7,
                mode: str = 'iou') -> BoxArray:
    """IoU (or GIoU / DIoU / CIoU) of two aligned sets of ``xyxy`` boxes.

    Degenerate boxes (``x2 < x1`` or ``y2 < y1``, e.g. corners predicted in
    the wrong order) have area 0 and a clamped size, so every overlap stays
    in its range and a loss ``1 - overlap`` stays in ``[0, 2]``; the
    GIoU's enclosing box (over all four corners of ``boxes1``) still pulls
    such a box back towards a valid one around the target.
    (``torchvision.ops`` assumes valid boxes: an inverted box gets a
    positive area there and GIoU above 1, i.e. a negative loss that a
    corner head learns to exploit.)

    Args:
        boxes1, boxes2: ``(..., 4)`` boxes, broadcastable to each other.
        eps: added to the union (and to the enclosing area / diagonal).
        mode: ``'iou'``, ``'giou'`` (Rezatofighi et al. 2019), ``'diou'``
            or ``'ciou'`` (Zheng et al. 2020; the aspect term's weight
            ``alpha`` is not differentiated, as in the paper).

    Returns:
        ``(...)`` overlaps; IoU in [0, 1], GIoU / DIoU in [-1, 1], CIoU in
        [-1.5, 1] (about).
    """
    if mode not in ('iou', 'giou', 'diou', 'ciou'):
        raise ValueError(
            f"mode must be 'iou', 'giou', 'diou' or 'ciou', got {mode!r}")
    is_tensor = isinstance(boxes1, Tensor)
    maximum = torch.maximum if is_tensor else np.maximum
    minimum = torch.minimum if is_tensor else np.minimum

    def clamp0(x):
        return x.clamp(min=0) if is_tensor else np.clip(x, 0, None)

    lt = maximum(boxes1[..., :2], boxes2[..., :2])
    rb = minimum(boxes1[..., 2:], boxes2[..., 2:])
    wh = clamp0(rb - lt)
    inter = wh[..., 0] * wh[..., 1]
    union = box_area(boxes1) + box_area(boxes2) - inter + eps
    iou = inter / union
    if mode == 'iou':
        return iou
    # the enclosing box of all corners: for valid boxes the usual one; an
    # inverted box enlarges it, so the penalty pulls its corners back
    enc_lt = minimum(minimum(boxes1[..., :2], boxes1[..., 2:]),
                     boxes2[..., :2])
    enc_rb = maximum(maximum(boxes1[..., 2:], boxes1[..., :2]),
                     boxes2[..., 2:])
    enc_wh = clamp0(enc_rb - enc_lt)
    if mode == 'giou':
        enc_area = enc_wh[..., 0] * enc_wh[..., 1] + eps
        return iou - (enc_area - union) / enc_area
    diag = enc_wh[..., 0]**2 + enc_wh[..., 1]**2 + eps
    c1 = (boxes1[..., :2] + boxes1[..., 2:]) * 0.5
    c2 = (boxes2[..., :2] + boxes2[..., 2:]) * 0.5
    rho = ((c1 - c2)**2).sum(-1)
    diou = iou - rho / diag
    if mode == 'diou':
        return diou
    atan = torch.atan if is_tensor else np.arctan
    w1, h1 = clamp0(boxes1[..., 2] - boxes1[..., 0]), clamp0(
        boxes1[..., 3] - boxes1[..., 1])
    w2, h2 = clamp0(boxes2[..., 2] - boxes2[..., 0]), clamp0(
        boxes2[..., 3] - boxes2[..., 1])
    v = (4 / math.pi**2) * (atan(w2 / (h2 + eps)) - atan(w1 /
                                                         (h1 + eps)))**2
    if is_tensor:
        with torch.no_grad():
            alpha = v / (1 - iou + v + eps)
    else:
        alpha = v / (1 - iou + v + eps)
    return diou - alpha * v


def pairwise_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """IoU matrix ``(N, M)`` of ``xyxy`` boxes (``torchvision.ops.box_iou``)."""
    from torchvision.ops import box_iou
    return box_iou(boxes1, boxes2)


def clip_boxes(boxes: BoxArray,
               img_shape: Tuple[int, int],
               margin: float = 0.) -> BoxArray:
    """Clip ``xyxy`` boxes to an image, keeping at least ``margin`` inside.

    Follows the OSTrack/STARK convention (``clip_box(margin=10)``): ``x1`` in
    ``[0, W - margin]``, ``x2`` in ``[margin, W]`` and the same for ``y``;
    afterwards width and height are at least ``margin`` where the image allows.

    Args:
        boxes: ``(..., 4)`` boxes in pixels.
        img_shape: ``(H, W)`` of the image in pixels.
        margin: minimum part of the box kept inside the image, in pixels.
    """
    h, w = float(img_shape[0]), float(img_shape[1])
    margin = min(float(margin), w, h)
    x1, y1, x2, y2 = _split(boxes)
    if isinstance(boxes, Tensor):
        x1 = x1.clamp(0, w - margin)
        y1 = y1.clamp(0, h - margin)
        x2 = torch.maximum(x2.clamp(margin, w), x1 + margin).clamp(max=w)
        y2 = torch.maximum(y2.clamp(margin, h), y1 + margin).clamp(max=h)
    else:
        x1 = np.clip(x1, 0, w - margin)
        y1 = np.clip(y1, 0, h - margin)
        x2 = np.clip(np.maximum(np.clip(x2, margin, w), x1 + margin), None, w)
        y2 = np.clip(np.maximum(np.clip(y2, margin, h), y1 + margin), None, h)
    return _stack(boxes, [x1, y1, x2, y2])


def box_is_valid(boxes: BoxArray, min_size: float = 0.) -> BoxArray:
    """Whether ``xyxy`` boxes are finite with width and height > ``min_size``."""
    x1, y1, x2, y2 = _split(boxes)
    if isinstance(boxes, Tensor):
        finite = torch.isfinite(boxes).all(dim=-1)
    else:
        finite = np.isfinite(boxes).all(axis=-1)
    return finite & ((x2 - x1) > min_size) & ((y2 - y1) > min_size)


def scale_boxes(boxes: BoxArray, scale: Union[float, Sequence[float]]):
    """Multiply ``xyxy`` boxes by a scalar or a per-axis ``(sx, sy)`` scale."""
    if isinstance(scale, (int, float)):
        return boxes * scale
    sx, sy = scale
    x1, y1, x2, y2 = _split(boxes)
    return _stack(boxes, [x1 * sx, y1 * sy, x2 * sx, y2 * sy])
