"""Search-area cropping: the one place that owns crop geometry.

A crop is a window centred on a box (by default a square of side
``ceil(sqrt(w * h) * factor)`` pixels, pytracking/OSTrack ``sample_target``;
the SiamFC/pysot context square and a non-square window are the other
modes of :func:`crop_window`), padded where it leaves the image (zeros, a
colour, or the image's mean colour) and resized to ``out_size``. The same functions serve the
training transforms (``numpy`` images, HWC) and tracking (``torch`` images,
CHW, on any device), so training and inference crops are identical.
"""
import math
from typing import NamedTuple, Sequence, Tuple, Union

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from .boxes import BoxArray


_Size = Union[int, Tuple[int, int]]
PadValue = Union[float, str, Sequence[float]]
CROP_MODES = ('sqrt', 'context', 'non_square', 'additive')


class CropWindow(NamedTuple):
    """A crop window in frame pixels.

    Attributes:
        x1, y1: top-left corner (integers, may be negative).
        width, height: size in pixels (integers >= 1); equal for the square
            windows of the ``'sqrt'`` and ``'context'`` modes.
    """
    x1: int
    y1: int
    width: int
    height: int

    @property
    def side(self) -> int:
        """Side of a square window."""
        if self.width != self.height:
            raise ValueError(f'{self} is not square: use width and height')
        return self.width


def crop_window(box: BoxArray, factor: float, mode: str = 'sqrt',
                context_amount: float = 0.5) -> CropWindow:
    """Window of ``factor`` times the box's size, centred on the box.

    Modes (``w, h``: the box size in px):

    - ``'sqrt'`` (pytracking/OSTrack ``sample_target``): a square of side
      ``ceil(sqrt(w * h) * factor)``.
    - ``'context'`` (SiamFC/pysot/TransT): a square of side
      ``sqrt((w + p) * (h + p)) * factor`` (rounded), ``p = context_amount *
      (w + h)``. pysot's exemplar crop ``s_z`` is ``factor=1`` (context 0.5)
      resized to 127 px; its search crop ``s_x = s_z * 255 / 127`` is
      ``factor=255 / 127``; TransT's search area is ``factor=2`` (context
      0.5 at 256 px from 128 px templates).
    - ``'non_square'``: ``factor * w`` by ``factor * h`` (rounded up; MAT's
      ``2w x 2h`` pre-training crop, which the resize distorts to a square).
    - ``'additive'`` (MAT's tracker crops): each side grows by ``(factor -
      1)`` times the mean side, ``w' = w + (factor - 1) (w + h) / 2`` (and
      ``h'``), and the window is the square of side ``ceil(sqrt(w' h'))``
      (``context_amount`` unused).

    Args:
        box: ``(4,)`` ``xyxy`` box in frame pixels.
        factor: context factor (e.g. 2 for templates, 4-5 for search areas
            in ``'sqrt'`` mode).
        mode: one of :data:`CROP_MODES`.
        context_amount: ``p`` of the ``'context'`` mode, per unit of
            ``w + h``.
    """
    x1, y1, x2, y2 = [float(v) for v in box]
    w, h = max(x2 - x1, 1e-3), max(y2 - y1, 1e-3)
    if mode == 'sqrt':
        width = height = max(int(math.ceil(math.sqrt(w * h) * factor)), 1)
    elif mode == 'context':
        pad = context_amount * (w + h)
        width = height = max(
            int(round(math.sqrt((w + pad) * (h + pad)) * factor)), 1)
    elif mode == 'additive':
        pad = (factor - 1.) * (w + h) * 0.5
        width = height = max(
            int(math.ceil(math.sqrt((w + pad) * (h + pad)))), 1)
    elif mode == 'non_square':
        width = max(int(math.ceil(w * factor)), 1)
        height = max(int(math.ceil(h * factor)), 1)
    else:
        raise ValueError(f'crop mode must be one of {CROP_MODES}, '
                         f'got {mode!r}')
    cx, cy = (x1 + x2) * 0.5, (y1 + y2) * 0.5
    return CropWindow(
        int(round(cx - width * 0.5)), int(round(cy - height * 0.5)), width,
        height)


def _out_hw(out_size: _Size) -> Tuple[int, int]:
    if isinstance(out_size, int):
        return out_size, out_size
    return int(out_size[0]), int(out_size[1])


def _valid_region(window: CropWindow, height: int, width: int):
    """Part of the window inside the image and the padding on each side."""
    x1, y1, ww, wh = window
    x2, y2 = x1 + ww, y1 + wh
    ix1, iy1 = min(max(x1, 0), width), min(max(y1, 0), height)
    ix2, iy2 = max(min(x2, width), ix1), max(min(y2, height), iy1)
    pads = (ix1 - x1, x2 - ix2, iy1 - y1, y2 - iy2)  # left right top bottom
    return (ix1, iy1, ix2, iy2), pads


def _pad_values(img, pad_value: PadValue, channels: int):
    """Per-channel padding values: a list of floats, or ``None`` for a
    scalar (fast path)."""
    if isinstance(pad_value, str):
        if pad_value != 'mean':
            raise ValueError(f"pad_value must be a number, a per-channel "
                             f"sequence or 'mean', got {pad_value!r}")
        if isinstance(img, np.ndarray):
            return [float(v) for v in img.reshape(-1, channels).mean(0)]
        dims = tuple(d for d in range(img.dim()) if d != img.dim() - 3)
        return [float(v) for v in img.float().mean(dim=dims).reshape(-1)]
    if isinstance(pad_value, (int, float)):
        return None
    values = [float(v) for v in pad_value]
    if len(values) != channels:
        raise ValueError(f'pad_value has {len(values)} values for an image '
                         f'of {channels} channels')
    return values


def crop_and_resize(
        img: Union[np.ndarray, Tensor],
        window: CropWindow,
        out_size: _Size,
        pad_value: PadValue = 0.) -> Tuple[Union[np.ndarray, Tensor], Union[
            np.ndarray, Tensor]]:
    """Crop a window (padded outside the image) and resize it.

    Args:
        img: ``(H, W, C)`` numpy image (any dtype) or ``(C, H, W)`` /
            ``(B, C, H, W)`` tensor.
        window: the crop window in pixels of ``img``.
        out_size: side of the output crop in pixels, or ``(h, w)``.
        pad_value: value of the padded area: a number, one value per
            channel (in the image's channel order, e.g. BGR px), or
            ``'mean'`` (the image's per-channel mean, pysot's
            ``avg_chans``).

    Returns:
        tuple: the crop (``(out_h, out_w, C)`` array of the input dtype, or
        ``(C, out_h, out_w)`` / ``(B, C, out_h, out_w)`` float tensor, with
        integer values for a uint8 tensor on the CPU) and the padding mask
        ``(out_h, out_w)`` (bool, True where the crop is padding).
    """
    if isinstance(img, np.ndarray):
        height, width = img.shape[:2]
        channels = img.shape[2] if img.ndim == 3 else 1
    else:
        height, width = img.shape[-2:]
        channels = img.shape[-3]
    out_h, out_w = _out_hw(out_size)
    (ix1, iy1, ix2, iy2), (pl, pr, pt, pb) = _valid_region(
        window, height, width)
    sx, sy = out_w / window.width, out_h / window.height
    # padding mask computed on the output grid directly (cheap, exact enough)
    mask = np.ones((out_h, out_w), dtype=bool)
    mx1, mx2 = int(round(pl * sx)), out_w - int(round(pr * sx))
    my1, my2 = int(round(pt * sy)), out_h - int(round(pb * sy))
    mask[my1:my2, mx1:mx2] = False
    per_channel = _pad_values(img, pad_value, channels)
    scalar = 0. if per_channel is not None else float(pad_value)
    shrink = max(window.width / out_w, window.height / out_h) > 2

    # The visible part is resized straight to its place in the output grid
    # (pad-then-resize without allocating the padding); numpy and torch use
    # the same geometry so training and tracking crops agree.
    vis_w, vis_h = max(mx2 - mx1, 1), max(my2 - my1, 1)
    if isinstance(img, np.ndarray):
        out = np.full((out_h, out_w) + img.shape[2:], scalar,
                      dtype=img.dtype)
        if per_channel is not None:
            out[...] = np.asarray(per_channel).astype(img.dtype)
        patch = img[iy1:iy2, ix1:ix2]
        if patch.size == 0 or mx2 <= mx1 or my2 <= my1:
            return out, mask
        interp = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
        resized = cv2.resize(patch, (vis_w, vis_h), interpolation=interp)
        if resized.ndim == 2 and img.ndim == 3:
            resized = resized[..., None]
        out[my1:my1 + vis_h, mx1:mx1 + vis_w] = resized
        return out, mask

    squeeze = img.dim() == 3
    patch = img[None] if squeeze else img
    patch = patch[..., iy1:iy2, ix1:ix2]
    # uint8 frames on the CPU are resized in uint8, like the numpy path
    # (cv2) of the training crops, and faster than in float; except to a
    # single pixel (a window far larger than the frame), where torch's uint8
    # antialiasing kernel fails an internal assert (torch 2.x)
    if not (patch.dtype == torch.uint8 and patch.device.type == 'cpu'
            and vis_w * vis_h > 1):
        patch = patch.float()

    def background():
        out = patch.new_full((patch.shape[0], patch.shape[1], out_h, out_w),
                             scalar, dtype=torch.float32)
        if per_channel is not None:
            out[:] = torch.tensor(per_channel, device=out.device).view(
                1, -1, 1, 1)
        return out

    if patch.numel() == 0 or mx2 <= mx1 or my2 <= my1:
        out = background()
    else:
        resized = F.interpolate(
            patch, size=(vis_h, vis_w), mode='bilinear',
            align_corners=False, antialias=shrink).float()
        if (vis_h, vis_w) == (out_h, out_w):
            out = resized
        else:
            out = background()
            out[..., my1:my1 + vis_h, mx1:mx1 + vis_w] = resized
    out = out[0] if squeeze else out
    return out, torch.from_numpy(mask).to(img.device)


def _scales(window: CropWindow, out_size: _Size, boxes: BoxArray):
    out_h, out_w = _out_hw(out_size)
    scale = [out_w / window.width, out_h / window.height] * 2
    offset = [window.x1, window.y1, window.x1, window.y1]
    if isinstance(boxes, Tensor):
        return boxes.new_tensor(scale), boxes.new_tensor(offset)
    return (np.asarray(scale, dtype=np.float64),
            np.asarray(offset, dtype=np.float64))


def box_to_crop(boxes: BoxArray, window: CropWindow,
                out_size: _Size) -> BoxArray:
    """Map ``xyxy`` frame boxes into pixel coordinates of the resized crop
    (``out_size``: its side, or ``(h, w)``)."""
    scale, offset = _scales(window, out_size, boxes)
    return (boxes - offset) * scale


def box_from_crop(boxes: BoxArray, window: CropWindow,
                  out_size: _Size) -> BoxArray:
    """Map ``xyxy`` boxes in resized-crop pixels back to frame pixels."""
    scale, offset = _scales(window, out_size, boxes)
    return boxes / scale + offset
