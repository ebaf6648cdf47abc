"""Search-area cropping: the one place that owns crop geometry.

A crop is a square window of side ``ceil(sqrt(w * h) * factor)`` pixels centred
on a box (pytracking/OSTrack ``sample_target``), padded with zeros where it
leaves the image and resized to ``out_size``. The same functions serve the
training transforms (``numpy`` images, HWC) and tracking (``torch`` images,
CHW, on any device), so training and inference crops are identical.
"""
import math
from typing import NamedTuple, Tuple, Union

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from .boxes import BoxArray


class CropWindow(NamedTuple):
    """A square crop window in frame pixels.

    Attributes:
        x1, y1: top-left corner (integers, may be negative).
        side: side length in pixels (integer >= 1).
    """
    x1: int
    y1: int
    side: int


def crop_window(box: BoxArray, factor: float) -> CropWindow:
    """Window of ``factor`` times the box's geometric-mean size around it.

    Args:
        box: ``(4,)`` ``xyxy`` box in frame pixels.
        factor: context factor (2 for templates, 4-5 for search areas).
    """
    x1, y1, x2, y2 = [float(v) for v in box]
    w, h = max(x2 - x1, 1e-3), max(y2 - y1, 1e-3)
    side = max(int(math.ceil(math.sqrt(w * h) * factor)), 1)
    cx, cy = (x1 + x2) * 0.5, (y1 + y2) * 0.5
    return CropWindow(
        int(round(cx - side * 0.5)), int(round(cy - side * 0.5)), side)


def _valid_region(window: CropWindow, height: int, width: int):
    """Part of the window inside the image and the padding on each side."""
    x1, y1, side = window
    x2, y2 = x1 + side, y1 + side
    ix1, iy1 = min(max(x1, 0), width), min(max(y1, 0), height)
    ix2, iy2 = max(min(x2, width), ix1), max(min(y2, height), iy1)
    pads = (ix1 - x1, x2 - ix2, iy1 - y1, y2 - iy2)  # left right top bottom
    return (ix1, iy1, ix2, iy2), pads


def crop_and_resize(
        img: Union[np.ndarray, Tensor],
        window: CropWindow,
        out_size: int,
        pad_value: float = 0.) -> Tuple[Union[np.ndarray, Tensor], Union[
            np.ndarray, Tensor]]:
    """Crop a square window (zero-padded outside the image) and resize it.

    Args:
        img: ``(H, W, C)`` numpy image (any dtype) or ``(C, H, W)`` /
            ``(B, C, H, W)`` tensor.
        window: the crop window in pixels of ``img``.
        out_size: side of the output crop in pixels.
        pad_value: value of the padded area.

    Returns:
        tuple: the crop (``(out, out, C)`` array of the input dtype, or
        ``(C, out, out)`` / ``(B, C, out, out)`` float tensor, with integer
        values for a uint8 tensor on the CPU) and the padding
        mask ``(out, out)`` (bool, True where the crop is padding).
    """
    if isinstance(img, np.ndarray):
        height, width = img.shape[:2]
    else:
        height, width = img.shape[-2:]
    (ix1, iy1, ix2, iy2), (pl, pr, pt, pb) = _valid_region(
        window, height, width)
    side = window.side
    scale = out_size / side
    # padding mask computed on the output grid directly (cheap, exact enough)
    mask = np.ones((out_size, out_size), dtype=bool)
    mx1, mx2 = int(round(pl * scale)), out_size - int(round(pr * scale))
    my1, my2 = int(round(pt * scale)), out_size - int(round(pb * scale))
    mask[my1:my2, mx1:mx2] = False

    # The visible part is resized straight to its place in the output grid
    # (pad-then-resize without allocating the padding); numpy and torch use
    # the same geometry so training and tracking crops agree.
    vis_w, vis_h = max(mx2 - mx1, 1), max(my2 - my1, 1)
    if isinstance(img, np.ndarray):
        out = np.full((out_size, out_size) + img.shape[2:], pad_value,
                      dtype=img.dtype)
        patch = img[iy1:iy2, ix1:ix2]
        if patch.size == 0 or mx2 <= mx1 or my2 <= my1:
            return out, mask
        interp = cv2.INTER_AREA if side > 2 * out_size else cv2.INTER_LINEAR
        resized = cv2.resize(patch, (vis_w, vis_h), interpolation=interp)
        if resized.ndim == 2 and img.ndim == 3:
            resized = resized[..., None]
        out[my1:my1 + vis_h, mx1:mx1 + vis_w] = resized
        return out, mask

    squeeze = img.dim() == 3
    patch = img[None] if squeeze else img
    patch = patch[..., iy1:iy2, ix1:ix2]
    # uint8 frames on the CPU are resized in uint8, like the numpy path
    # (cv2) of the training crops, and faster than in float
    if not (patch.dtype == torch.uint8 and patch.device.type == 'cpu'):
        patch = patch.float()
    if patch.numel() == 0 or mx2 <= mx1 or my2 <= my1:
        out = patch.new_full(
            (patch.shape[0], patch.shape[1], out_size, out_size),
            pad_value, dtype=torch.float32)
    else:
        resized = F.interpolate(
            patch, size=(vis_h, vis_w), mode='bilinear',
            align_corners=False, antialias=side > 2 * out_size).float()
        if (vis_h, vis_w) == (out_size, out_size):
            out = resized
        else:
            out = patch.new_full(
                (patch.shape[0], patch.shape[1], out_size, out_size),
                pad_value)
            out[..., my1:my1 + vis_h, mx1:mx1 + vis_w] = resized
    out = out[0] if squeeze else out
    return out, torch.from_numpy(mask).to(img.device)


def box_to_crop(boxes: BoxArray, window: CropWindow,
                out_size: int) -> BoxArray:
    """Map ``xyxy`` frame boxes into pixel coordinates of the resized crop."""
    scale = out_size / window.side
    offset = [window.x1, window.y1, window.x1, window.y1]
    if isinstance(boxes, Tensor):
        offset = boxes.new_tensor(offset)
    else:
        offset = np.asarray(offset, dtype=np.float64)
    return (boxes - offset) * scale


def box_from_crop(boxes: BoxArray, window: CropWindow,
                  out_size: int) -> BoxArray:
    """Map ``xyxy`` boxes in resized-crop pixels back to frame pixels."""
    scale = window.side / out_size
    offset = [window.x1, window.y1, window.x1, window.y1]
    if isinstance(boxes, Tensor):
        offset = boxes.new_tensor(offset)
    else:
        offset = np.asarray(offset, dtype=np.float64)
    return boxes * scale + offset
