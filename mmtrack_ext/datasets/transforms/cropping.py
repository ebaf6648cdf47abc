"""Search-area cropping with jitter and the crop validity check."""
from typing import Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from mmtrack_ext.registry import TRANSFORMS
from mmtrack_ext.structures import (box_is_valid, box_to_crop,
                                    crop_and_resize, crop_window,
                                    cxcywh_to_xyxy, xyxy_to_cxcywh)
from ..errors import InvalidCropError
from .utils import get_rng, iter_frames

__all__ = ['jitter_box', 'SearchAreaCrop', 'CheckPaddingValidity']


def jitter_box(box: np.ndarray, scale_jitter: float, center_jitter: float,
               rng: np.random.Generator) -> np.ndarray:
    """Random box around ``box`` (pytracking training jitter).

    ``wh' = wh * exp(N(0, 1) * scale_jitter)`` per dimension, then the
    centre moves by ``sqrt(w' * h') * center_jitter * (U(0, 1) - 0.5)`` per
    dimension.

    Args:
        box: ``(4,)`` ``xyxy`` box in pixels.
        scale_jitter: std of the log of the size factor.
        center_jitter: centre offset range in units of the jittered size.
        rng: random generator.

    Returns:
        ``(4,)`` float64 ``xyxy`` jittered box.
    """
    cx, cy, w, h = xyxy_to_cxcywh(np.asarray(box, dtype=np.float64))
    wh = np.array([w, h]) * np.exp(rng.standard_normal(2) * scale_jitter)
    max_offset = np.sqrt(wh.prod()) * center_jitter
    centre = np.array([cx, cy]) + max_offset * (rng.random(2) - 0.5)
    return cxcywh_to_xyxy(np.concatenate([centre, wh]))


@TRANSFORMS.register_module()
class SearchAreaCrop(BaseTransform):
    """Crop template and search areas around the (jittered) target box.

    For every frame with role ``'template'`` or ``'search'`` (methods.md
    §1.1-1.2): the box is jittered (:func:`jitter_box`), a square window of
    side ``ceil(sqrt(w * h) * factor)`` is centred on the jittered box
    (:func:`~mmtrack_ext.structures.crop_window`), cut with zero padding and
    resized to ``size x size`` (:func:`~mmtrack_ext.structures.
    crop_and_resize`); the **true** box is mapped into the crop
    (:func:`~mmtrack_ext.structures.box_to_crop`, not clipped).

    Updates per frame: ``img`` (``(size, size, 3)`` uint8), ``bbox``
    (float32 ``xyxy`` crop pixels), ``padding_mask`` (``(size, size)`` bool,
    True on padding), ``img_shape`` ``(size, size)`` and ``crop_window``
    ``(x1, y1, side)`` in frame pixels; ``ori_shape`` is kept.

    Random draws come from ``results['rng']``.

    Args:
        template_factor, template_size: context factor and output side (px)
            of template crops.
        search_factor, search_size: the same for search crops.
        scale_jitter, center_jitter: search jitter (OSTrack-256: 0.25, 3;
            STARK/OSTrack-384: 0.5, 4.5).
        template_scale_jitter, template_center_jitter: template jitter
            (default 0: templates centred on the true box).

    Raises:
        InvalidCropError: the (jittered) box is not finite or has no area.
        ValueError: a frame has role ``'frame'`` (test frames are cropped by
            the tracker).
    """

    def __init__(self,
                 template_factor: float = 2.0,
                 template_size: int = 128,
                 search_factor: float = 4.0,
                 search_size: int = 256,
                 scale_jitter: float = 0.,
                 center_jitter: float = 0.,
                 template_scale_jitter: float = 0.,
                 template_center_jitter: float = 0.) -> None:
        self.params = dict(
            template=(float(template_factor), int(template_size),
                      float(template_scale_jitter),
                      float(template_center_jitter)),
            search=(float(search_factor), int(search_size),
                    float(scale_jitter), float(center_jitter)))

    def transform(self, results: dict) -> dict:
        rng = get_rng(results)
        for frame in results['frames']:
            role = frame.get('role')
            if role not in self.params:
                raise ValueError(
                    f'{type(self).__name__} crops template/search frames, '
                    f'got role {role!r}')
            self._crop(frame, *self.params[role], rng)
        return results

    @staticmethod
    def _crop(frame: dict, factor: float, size: int, scale_jitter: float,
              center_jitter: float, rng: np.random.Generator) -> None:
        box = np.asarray(frame['bbox'], dtype=np.float64)
        if not box_is_valid(box):
            raise InvalidCropError(
                f'invalid box {box.tolist()} in {frame.get("img_path")}')
        if scale_jitter or center_jitter:
            jittered = jitter_box(box, scale_jitter, center_jitter, rng)
            if not box_is_valid(jittered):
                raise InvalidCropError(
                    f'invalid jittered box in {frame.get("img_path")}')
        else:
            jittered = box
        window = crop_window(jittered, factor)
        crop, mask = crop_and_resize(frame['img'], window, size)
        frame['img'] = crop
        frame['padding_mask'] = mask
        frame['bbox'] = box_to_crop(box, window, size).astype(np.float32)
        frame['img_shape'] = (size, size)
        frame['crop_window'] = tuple(window)

    def __repr__(self) -> str:
        t, s = self.params['template'], self.params['search']
        return (f'{type(self).__name__}(template_factor={t[0]}, '
                f'template_size={t[1]}, search_factor={s[0]}, '
                f'search_size={s[1]}, scale_jitter={s[2]}, '
                f'center_jitter={s[3]}, template_scale_jitter={t[2]}, '
                f'template_center_jitter={t[3]})')


@TRANSFORMS.register_module()
class CheckPaddingValidity(BaseTransform):
    """Reject crops that are (almost) all padding (STARK/OSTrack check).

    A crop is rejected when its ``padding_mask`` is all True, or when the
    mask down-sampled by ``stride`` (nearest, as the feature map sees it)
    is all True.

    Args:
        stride: down-sampling factor of the backbone (16 for ViT-B/16).
        roles: roles of the frames to check.

    Raises:
        InvalidCropError: a checked crop is invalid (the pair dataset then
            draws another sample).
    """

    def __init__(self,
                 stride: int = 16,
                 roles: Optional[Sequence[str]] = ('template',
                                                   'search')) -> None:
        self.stride = int(stride)
        self.roles = None if roles is None else tuple(roles)

    @staticmethod
    def downsample(mask: np.ndarray, stride: int) -> np.ndarray:
        """Nearest down-sampling of ``(h, w)`` to ``(h // s, w // s)`` (at
        least 1), sampling like ``F.interpolate(mode='nearest')``."""
        h, w = mask.shape
        oh, ow = max(h // stride, 1), max(w // stride, 1)
        rows = np.floor(np.arange(oh) * (h / oh)).astype(np.int64)
        cols = np.floor(np.arange(ow) * (w / ow)).astype(np.int64)
        return mask[rows[:, None], cols[None, :]]

    def transform(self, results: dict) -> dict:
        for frame in iter_frames(results, self.roles):
            mask = frame.get('padding_mask')
            if mask is None:
                raise KeyError(f'{type(self).__name__} needs padding_mask '
                               '(put it after SearchAreaCrop)')
            if mask.all() or self.downsample(mask, self.stride).all():
                raise InvalidCropError(
                    f'{frame.get("role")} crop of {frame.get("img_path")} '
                    'is all padding')
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(stride={self.stride}, '
                f'roles={self.roles})')
