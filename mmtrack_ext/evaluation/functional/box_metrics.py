"""Per-frame overlap and centre-error functions of the official toolkits.

All functions take ``(..., 4)`` numpy arrays of ``xywh`` boxes (left, top,
width, height) and never modify their inputs.
"""
from typing import Optional, Sequence

import numpy as np

__all__ = [
    'bound_boxes_got10k', 'iou_got10k', 'iou_pixel', 'iou_rect_int',
    'center_error', 'normalized_center_error',
    'normalized_center_error_got10k', 'trackingnet_box_errors'
]

_EPS = np.finfo(float).eps


def bound_boxes_got10k(boxes: np.ndarray, bound) -> np.ndarray:
    """Bound boxes to the image the way got10k's ``rect_iou`` does.

    ``x = clip(x, 0, W)`` then ``w = clip(w, 0, W - x)`` (the same for
    ``y``/``h``).
    Quirk reproduced on purpose: a box sticking out on the left/top is
    *shifted* right/down (its width is not reduced by the part cut off), a
    box sticking out on the right/bottom is cropped. E.g. ``(-50, 0, 100,
    100)`` becomes ``(0, 0, 100, 100)``, not ``(0, 0, 50, 100)``. The
    toolkit does this in place on the caller's arrays; here a copy is
    returned. NaN stays NaN.

    Args:
        boxes: ``(N, 4)`` xywh.
        bound: ``(W, H)`` or an ``(N, 2)`` array of per-row bounds.
    """
    boxes = np.array(boxes, dtype=np.float64, copy=True)
    bound = np.asarray(bound, dtype=np.float64)
    bw, bh = bound[..., 0], bound[..., 1]
    boxes[..., 0] = np.clip(boxes[..., 0], 0, bw)
    boxes[..., 1] = np.clip(boxes[..., 1], 0, bh)
    boxes[..., 2] = np.clip(boxes[..., 2], 0, bw - boxes[..., 0])
    boxes[..., 3] = np.clip(boxes[..., 3], 0, bh - boxes[..., 1])
    return boxes


def iou_got10k(boxes1: np.ndarray,
               boxes2: np.ndarray,
               bound: Optional[Sequence[float]] = None) -> np.ndarray:
    """IoU as got10k's ``utils.metrics.rect_iou``.

    Continuous intersection, ``inter / (area1 + area2 - inter + eps)`` with
    ``eps = np.finfo(float).eps``, clipped to ``[0, 1]``; NaN propagates.
    With ``bound=(W, H)`` (or ``(N, 2)`` per row) both box sets are first
    passed through :func:`bound_boxes_got10k` (left/top shift quirk).
    """
    b1 = np.asarray(boxes1, dtype=np.float64)
    b2 = np.asarray(boxes2, dtype=np.float64)
    if b1.shape != b2.shape:
        raise ValueError(f'box arrays differ in shape: {b1.shape} vs '
                         f'{b2.shape}')
    if bound is not None:
        b1 = bound_boxes_got10k(b1, bound)
        b2 = bound_boxes_got10k(b2, bound)
    x1 = np.maximum(b1[..., 0], b2[..., 0])
    y1 = np.maximum(b1[..., 1], b2[..., 1])
    x2 = np.minimum(b1[..., 0] + b1[..., 2], b2[..., 0] + b2[..., 2])
    y2 = np.minimum(b1[..., 1] + b1[..., 3], b2[..., 1] + b2[..., 3])
    inter = np.maximum(x2 - x1, 0) * np.maximum(y2 - y1, 0)
    area1 = b1[..., 2] * b1[..., 3]
    area2 = b2[..., 2] * b2[..., 3]
    iou = inter / (area1 + area2 - inter + _EPS)
    return np.clip(iou, 0.0, 1.0)


def iou_pixel(boxes1: np.ndarray, boxes2: np.ndarray) -> np.ndarray:
    """IoU in the "+1 pixel" form of pytracking / STARK / OSTrack.

    ``tl = max(xy)``, ``br = min(xy + wh - 1)``, ``sz = clip(br - tl + 1,
    0)``, ``iou = prod(sz) / (w1 h1 + w2 h2 - inter)``; no eps and no clip.
    Mathematically the continuous IoU, but the float round-off of ``x + w -
    1 ... + 1`` can give ``1 + 1e-16`` for identical non-integer boxes, which
    the toolkits then count as a success at threshold 1.0 (reproduced).
    Union 0 gives NaN (0/0) or inf, as in the toolkits.
    """
    b1 = np.asarray(boxes1, dtype=np.float64)
    b2 = np.asarray(boxes2, dtype=np.float64)
    tl = np.maximum(b1[..., :2], b2[..., :2])
    br = np.minimum(b1[..., :2] + b1[..., 2:] - 1.0,
                    b2[..., :2] + b2[..., 2:] - 1.0)
    sz = np.maximum(br - tl + 1.0, 0.0)
    inter = sz[..., 0] * sz[..., 1]
    union = b1[..., 2] * b1[..., 3] + b2[..., 2] * b2[..., 3] - inter
    with np.errstate(divide='ignore', invalid='ignore'):
        return inter / union


def iou_rect_int(boxes1: np.ndarray, boxes2: np.ndarray) -> np.ndarray:
    """IoU as ``calc_rect_int.m`` of the OTB / LaSOT MATLAB toolkits.

    The ``+1`` pixel form of :func:`iou_pixel` (``right = x + w - 1``,
    ``inter = max(0, min(right) - max(left) + 1) * ...``, no eps, no clip),
    with MATLAB's ``max`` / ``min``, which **ignore NaN**: a NaN ``x`` in one
    box makes the intersection span the other box's full width (the union,
    and so the IoU, is NaN only where a NaN reaches an area). Union 0 gives
    NaN / inf as in MATLAB.
    """
    b1 = np.asarray(boxes1, dtype=np.float64)
    b2 = np.asarray(boxes2, dtype=np.float64)
    tl = np.fmax(b1[..., :2], b2[..., :2])
    br = np.fmin(b1[..., :2] + b1[..., 2:] - 1.0,
                 b2[..., :2] + b2[..., 2:] - 1.0)
    sz = np.fmax(0.0, br - tl + 1.0)
    inter = sz[..., 0] * sz[..., 1]
    union = b1[..., 2] * b1[..., 3] + b2[..., 2] * b2[..., 3] - inter
    with np.errstate(divide='ignore', invalid='ignore'):
        return inter / union


def _centers(boxes: np.ndarray) -> np.ndarray:
    return boxes[..., :2] + 0.5 * (boxes[..., 2:] - 1.0)


def center_error(boxes1: np.ndarray, boxes2: np.ndarray) -> np.ndarray:
    """Euclidean distance of centres ``xy + (wh - 1) / 2`` (all toolkits)."""
    b1 = np.asarray(boxes1, dtype=np.float64)
    b2 = np.asarray(boxes2, dtype=np.float64)
    d = _centers(b1) - _centers(b2)
    return np.sqrt((d**2).sum(-1))


def normalized_center_error(pred: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """pytracking's normalised centre error.

    Both centres are divided by the GT ``(w, h)`` before the distance is
    taken. GT with ``w`` or ``h`` 0 gives inf/NaN (callers mask it).
    """
    p = np.asarray(pred, dtype=np.float64)
    g = np.asarray(gt, dtype=np.float64)
    with np.errstate(divide='ignore', invalid='ignore'):
        d = _centers(p) / g[..., 2:] - _centers(g) / g[..., 2:]
        return np.sqrt((d**2).sum(-1))


def normalized_center_error_got10k(pred: np.ndarray,
                                   gt: np.ndarray) -> np.ndarray:
    """got10k toolkit's ``normalized_center_error`` (GitHub master only).

    ``||(c_pred - c_gt) / max(1, wh_gt)||`` with centres ``xy + (wh - 1) /
    2``: the centre *difference* is divided, and GT sizes below one pixel
    are treated as one (no division by zero). NaN propagates.
    """
    p = np.asarray(pred, dtype=np.float64)
    g = np.asarray(gt, dtype=np.float64)
    d = (_centers(p) - _centers(g)) / np.maximum(1.0, g[..., 2:])
    return np.sqrt((d**2).sum(-1))


def trackingnet_box_errors(pred: np.ndarray, gt: np.ndarray):
    """Per-frame IoU and centre distances of the TrackingNet server.

    Reproduces the TrackingNet devkit's ``metrics.py`` (which its README
    calls the server's evaluation code), frame by frame:

    - every coordinate of both boxes is rounded with ``np.round`` (half to
      even) first;
    - ``x2 = x + w - 1``; centre ``x + (w + 1) / 2`` (the offset cancels
      in the distances);
    - intersection ``round(min(x2) - max(x1) + 1)`` clipped below at 0 per
      axis, where ``max`` / ``min`` are pandas row reductions that **skip
      NaN** (a NaN corner takes the other box's; since the areas only use
      ``w, h``, a NaN ``x`` or ``y`` alone still gets IoU credit);
    - ``iou = inter / (area_gt + area_pred - inter)`` (no eps; 0/0 is NaN);
    - ``dist = sqrt(dx * dx + dy * dy)`` and ``ndist = sqrt(dx / w_gt * dx
      / w_gt + dy / h_gt * dy / h_gt)`` in the server's order of operations.

    Args:
        pred, gt: ``(N, 4)`` xywh (frame 0 is *not* replaced here).

    Returns:
        ``(iou, dist, ndist)``, each ``(N,)`` float64; NaN where the server
        gets NaN.
    """
    p = np.round(np.asarray(pred, dtype=np.float64))
    g = np.round(np.asarray(gt, dtype=np.float64))
    p2 = p[..., :2] + p[..., 2:] - 1.0
    g2 = g[..., :2] + g[..., 2:] - 1.0
    pc = p[..., :2] + (p[..., 2:] + 1.0) / 2.0
    gc = g[..., :2] + (g[..., 2:] + 1.0) / 2.0
    tl = np.fmax(g[..., :2], p[..., :2])
    br = np.fmin(g2, p2)
    size = np.round(br - tl + 1)
    size = np.where(size < 0, 0.0, size)  # pandas clip(lower=0), NaN kept
    inter = size[..., 0] * size[..., 1]
    area_p = p[..., 3] * p[..., 2]
    area_g = g[..., 3] * g[..., 2]
    d = gc - pc
    with np.errstate(divide='ignore', invalid='ignore'):
        iou = inter / (area_g + area_p - inter)
        dist = np.sqrt(d[..., 0] * d[..., 0] + d[..., 1] * d[..., 1])
        nx = d[..., 0] / g[..., 2] * d[..., 0] / g[..., 2]
        ny = d[..., 1] / g[..., 3] * d[..., 1] / g[..., 3]
        ndist = np.sqrt(nx + ny)
    return iou, dist, ndist
