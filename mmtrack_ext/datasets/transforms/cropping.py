"""Search-area cropping with jitter and the crop validity check."""
from typing import Dict, NamedTuple, Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from mmtrack_ext.registry import TRANSFORMS
from mmtrack_ext.structures import (box_is_valid, box_to_crop,
                                    crop_and_resize, crop_window,
                                    cxcywh_to_xyxy, xyxy_to_cxcywh)
from mmtrack_ext.structures.crop import CROP_MODES, PadValue
from ..errors import InvalidCropError
from .utils import get_rng, iter_frames

__all__ = [
    'jitter_box', 'SearchAreaCrop', 'CropTargetFromSearch',
    'CheckPaddingValidity'
]


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


class _RoleCrop(NamedTuple):
    factor: float
    size: int
    scale_jitter: float = 0.
    center_jitter: float = 0.
    crop_mode: Optional[str] = None


@TRANSFORMS.register_module()
class SearchAreaCrop(BaseTransform):
    """Crop every frame around its (jittered) target box, by role.

    For every frame (methods.md §1.1-1.2): the box is jittered
    (:func:`jitter_box`), a window of ``factor`` times its size is centred on
    the jittered box (:func:`~mmtrack_ext.structures.crop_window`, mode
    ``crop_mode``), cut with ``pad_value`` padding and resized to ``size x
    size`` (:func:`~mmtrack_ext.structures.crop_and_resize`, the same
    function the trackers use); the **true** box is mapped into the crop
    (:func:`~mmtrack_ext.structures.box_to_crop`, not clipped).

    Roles: ``'template'`` and ``'search'`` use the arguments below;
    ``'online_template'`` the template's unless ``roles`` says otherwise;
    any other role must be configured in ``roles``.

    Updates per frame: ``img`` (``(size, size, 3)`` uint8), ``bbox``
    (float32 ``xyxy`` crop pixels), ``padding_mask`` (``(size, size)`` bool,
    True on padding), ``img_shape`` ``(size, size)`` and ``crop_window``
    ``(x1, y1, width, height)`` in frame pixels; ``ori_shape`` is kept.

    Random draws come from ``results['rng']``.

    Args:
        template_factor, template_size: context factor and output side (px)
            of template crops.
        search_factor, search_size: the same for search crops.
        scale_jitter, center_jitter: search jitter (OSTrack-256: 0.25, 3;
            STARK/OSTrack-384: 0.5, 4.5).
        template_scale_jitter, template_center_jitter: template jitter
            (default 0: templates centred on the true box).
        roles: ``{role: dict(factor, size, scale_jitter=0,
            center_jitter=0, crop_mode=None)}`` for other roles (e.g.
            ``online_template``), or to override the template's or the
            search's settings (e.g. MAT's pre-training template:
            ``template=dict(factor=2, size=112, crop_mode='non_square')``).
        crop_mode, context_amount: window shape, as the tracker's
            ``test_cfg.crop_mode`` / ``context_amount`` (``'sqrt'``,
            ``'context'``, ``'non_square'``).
        pad_value: padding outside the frame: a number, BGR values in px,
            or ``'mean'`` (the frame's mean colour).

    Raises:
        InvalidCropError: the (jittered) box is not finite or has no area.
        ValueError: a frame has a role that is not configured (e.g.
            ``'frame'``: test frames are cropped by the tracker).
    """

    def __init__(self,
                 template_factor: float = 2.0,
                 template_size: int = 128,
                 search_factor: float = 4.0,
                 search_size: int = 256,
                 scale_jitter: float = 0.,
                 center_jitter: float = 0.,
                 template_scale_jitter: float = 0.,
                 template_center_jitter: float = 0.,
                 roles: Optional[Dict[str, dict]] = None,
                 crop_mode: str = 'sqrt',
                 context_amount: float = 0.5,
                 pad_value: PadValue = 0.) -> None:
        template = _RoleCrop(float(template_factor), int(template_size),
                             float(template_scale_jitter),
                             float(template_center_jitter))
        self.params: Dict[str, _RoleCrop] = dict(
            template=template,
            online_template=template,
            search=_RoleCrop(float(search_factor), int(search_size),
                             float(scale_jitter), float(center_jitter)))
        for role, opts in (roles or {}).items():
            unknown = set(opts) - set(_RoleCrop._fields)
            if unknown or not {'factor', 'size'} <= set(opts):
                raise KeyError(
                    f'SearchAreaCrop roles[{role!r}] needs factor and size '
                    f'(optional scale_jitter, center_jitter, crop_mode), '
                    f'got {sorted(opts)}')
            self.params[role] = _RoleCrop(
                float(opts['factor']), int(opts['size']),
                float(opts.get('scale_jitter', 0.)),
                float(opts.get('center_jitter', 0.)), opts.get('crop_mode'))
        for mode in [crop_mode] + [p.crop_mode for p in self.params.values()
                                   if p.crop_mode is not None]:
            if mode not in CROP_MODES:
                raise ValueError(f'crop_mode must be one of {CROP_MODES}, '
                                 f'got {mode!r}')
        self.crop_mode = crop_mode
        self.context_amount = float(context_amount)
        self.pad_value = pad_value

    def transform(self, results: dict) -> dict:
        rng = get_rng(results)
        for frame in results['frames']:
            role = frame.get('role')
            if role not in self.params:
                raise ValueError(
                    f'{type(self).__name__}: no crop settings for role '
                    f'{role!r} (known roles: {sorted(self.params)}; add it '
                    'to roles=...)')
            self._crop(frame, self.params[role], rng)
        return results

    def _crop(self, frame: dict, params: _RoleCrop,
              rng: np.random.Generator) -> None:
        box = np.asarray(frame['bbox'], dtype=np.float64)
        if not box_is_valid(box):
            raise InvalidCropError(
                f'invalid box {box.tolist()} in {frame.get("img_path")}')
        if params.scale_jitter or params.center_jitter:
            jittered = jitter_box(box, params.scale_jitter,
                                  params.center_jitter, rng)
            if not box_is_valid(jittered):
                raise InvalidCropError(
                    f'invalid jittered box in {frame.get("img_path")}')
        else:
            jittered = box
        window = crop_window(jittered, params.factor,
                             params.crop_mode or self.crop_mode,
                             self.context_amount)
        crop, mask = crop_and_resize(frame['img'], window, params.size,
                                     self.pad_value)
        frame['img'] = crop
        frame['padding_mask'] = mask
        frame['bbox'] = box_to_crop(box, window,
                                    params.size).astype(np.float32)
        frame['img_shape'] = (params.size, params.size)
        frame['crop_window'] = tuple(window)

    def __repr__(self) -> str:
        t, s = self.params['template'], self.params['search']
        return (f'{type(self).__name__}(template_factor={t.factor}, '
                f'template_size={t.size}, search_factor={s.factor}, '
                f'search_size={s.size}, scale_jitter={s.scale_jitter}, '
                f'center_jitter={s.center_jitter}, '
                f'template_scale_jitter={t.scale_jitter}, '
                f'template_center_jitter={t.center_jitter}, '
                f'crop_mode={self.crop_mode!r})')


@TRANSFORMS.register_module()
class CropTargetFromSearch(BaseTransform):
    """Add a frame of role ``role`` cut from the (augmented) search crop
    around its target box.

    MAT's appearance-transfer target: the target as it appears in the
    augmented search image, cropped like a template (``factor`` times the
    target, ``crop_mode``) and resized to ``size``. Put it after
    :class:`SearchAreaCrop` and the joint augmentations; the new frame's
    ``bbox`` is the target in its own crop px and its ``padding_mask`` marks
    what lies outside the search crop or was padding in it.

    Args:
        role: role of the new frame.
        factor, size: context factor and output side (px).
        crop_mode, context_amount, pad_value: as for
            :class:`SearchAreaCrop` (MAT's code: ``'non_square'``, 2w x 2h).
    """

    def __init__(self, role: str = 'transfer_target', factor: float = 2.0,
                 size: int = 112, crop_mode: str = 'non_square',
                 context_amount: float = 0.5,
                 pad_value: PadValue = 0.) -> None:
        if crop_mode not in CROP_MODES:
            raise ValueError(f'crop_mode must be one of {CROP_MODES}, got '
                             f'{crop_mode!r}')
        self.role, self.factor, self.size = role, float(factor), int(size)
        self.crop_mode, self.context_amount = crop_mode, float(context_amount)
        self.pad_value = pad_value

    def transform(self, results: dict) -> dict:
        searches = list(iter_frames(results, ('search', )))
        if len(searches) != 1 or 'padding_mask' not in searches[0]:
            raise ValueError(f'{type(self).__name__} needs one search frame '
                             'cropped by SearchAreaCrop before it')
        search = searches[0]
        box = np.asarray(search['bbox'], dtype=np.float64)
        if not box_is_valid(box):
            raise InvalidCropError(
                f'target outside the search crop of {search.get("img_path")}')
        window = crop_window(box, self.factor, self.crop_mode,
                             self.context_amount)
        crop, outside = crop_and_resize(search['img'], window, self.size,
                                        self.pad_value)
        was_padding, _ = crop_and_resize(
            search['padding_mask'].astype(np.uint8), window, self.size, 1)
        frame = {k: v for k, v in search.items()
                 if k not in ('img', 'bbox', 'padding_mask', 'img_shape',
                              'crop_window')}
        frame.update(
            role=self.role, img=crop,
            bbox=box_to_crop(box, window, self.size).astype(np.float32),
            padding_mask=outside | (was_padding > 0),
            img_shape=(self.size, self.size), crop_window=tuple(window))
        results['frames'].append(frame)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(role={self.role!r}, '
                f'factor={self.factor}, size={self.size}, '
                f'crop_mode={self.crop_mode!r})')


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
