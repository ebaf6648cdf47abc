"""Photometric and geometric augmentations of template/search crops.

All transforms draw from ``results['rng']`` (deterministic per training
sample) and act on every frame whose ``role`` is in ``roles`` (default: all
frames). "Joint" transforms use one draw for all those frames (STARK/OSTrack
apply grey-scale and flip jointly to templates and search).
"""
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmtrack_ext.registry import TRANSFORMS
from .utils import get_rng, iter_frames

__all__ = [
    'JointFlip', 'JointGrayscale', 'BrightnessJitter', 'GaussianBlur',
    'ColorJitter', 'MotionBlur'
]


def _roles(roles):
    return None if roles is None else tuple(roles)


@TRANSFORMS.register_module()
class JointFlip(BaseTransform):
    """Horizontal flip of images, boxes and padding masks.

    A box ``(x1, y1, x2, y2)`` in an image of width ``W`` becomes
    ``(W - x2, y1, W - x1, y2)``.

    Args:
        prob: flip probability.
        per_frame: draw for every frame independently instead of once for
            all (pytracking's second, per-image flip).
        roles: roles of the frames to flip (None: all).
    """

    def __init__(self,
                 prob: float = 0.5,
                 per_frame: bool = False,
                 roles: Optional[Sequence[str]] = None) -> None:
        self.prob = float(prob)
        self.per_frame = per_frame
        self.roles = _roles(roles)

    @staticmethod
    def flip_frame(frame: dict) -> None:
        """Flip one frame in place."""
        img = frame['img']
        width = img.shape[1]
        frame['img'] = np.ascontiguousarray(img[:, ::-1])
        if frame.get('padding_mask') is not None:
            frame['padding_mask'] = np.ascontiguousarray(
                frame['padding_mask'][:, ::-1])
        x1, y1, x2, y2 = np.asarray(frame['bbox'], dtype=np.float32)
        frame['bbox'] = np.array([width - x2, y1, width - x1, y2],
                                 dtype=np.float32)
        frame['flip'] = not frame.get('flip', False)

    def transform(self, results: dict) -> dict:
        rng = get_rng(results)
        flip = rng.random() < self.prob
        for frame in iter_frames(results, self.roles):
            if self.per_frame:
                flip = rng.random() < self.prob
            if flip:
                self.flip_frame(frame)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(prob={self.prob}, '
                f'per_frame={self.per_frame}, roles={self.roles})')


@TRANSFORMS.register_module()
class JointGrayscale(BaseTransform):
    """Convert all frames to grey (kept as 3 channels) with one draw.

    Args:
        prob: probability.
        roles: roles of the frames to convert (None: all).
    """

    def __init__(self,
                 prob: float = 0.05,
                 roles: Optional[Sequence[str]] = None) -> None:
        self.prob = float(prob)
        self.roles = _roles(roles)

    def transform(self, results: dict) -> dict:
        if get_rng(results).random() < self.prob:
            for frame in iter_frames(results, self.roles):
                grey = cv2.cvtColor(frame['img'], cv2.COLOR_BGR2GRAY)
                frame['img'] = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(prob={self.prob}, roles={self.roles})'


@TRANSFORMS.register_module()
class BrightnessJitter(BaseTransform):
    """Multiply every image by its own factor ``U(1 - factor, 1 + factor)``
    (pytracking ``ToTensorAndJitter``); the result is clipped to uint8.

    Args:
        factor: half-range of the brightness factor.
        roles: roles of the frames to change (None: all).
    """

    def __init__(self,
                 factor: float = 0.2,
                 roles: Optional[Sequence[str]] = None) -> None:
        self.factor = float(factor)
        self.roles = _roles(roles)

    def transform(self, results: dict) -> dict:
        rng = get_rng(results)
        for frame in iter_frames(results, self.roles):
            scale = rng.uniform(1 - self.factor, 1 + self.factor)
            frame['img'] = cv2.convertScaleAbs(frame['img'], alpha=scale)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(factor={self.factor}, '
                f'roles={self.roles})')


@TRANSFORMS.register_module()
class GaussianBlur(BaseTransform):
    """Gaussian blur of each image with probability ``prob`` and a sigma
    drawn from ``U(sigma)`` (pixels); the kernel covers +-3 sigma.

    Args:
        prob: probability per image.
        sigma: ``(min, max)`` standard deviation in pixels.
        roles: roles of the frames to blur (None: all).
    """

    def __init__(self,
                 prob: float = 0.5,
                 sigma: Tuple[float, float] = (0.2, 1.0),
                 roles: Optional[Sequence[str]] = None) -> None:
        if not 0 < sigma[0] <= sigma[1]:
            raise ValueError(f'sigma must be (min, max) > 0, got {sigma}')
        self.prob = float(prob)
        self.sigma = (float(sigma[0]), float(sigma[1]))
        self.roles = _roles(roles)

    def transform(self, results: dict) -> dict:
        rng = get_rng(results)
        for frame in iter_frames(results, self.roles):
            if rng.random() < self.prob:
                sigma = rng.uniform(*self.sigma)
                frame['img'] = cv2.GaussianBlur(frame['img'], (0, 0), sigma)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(prob={self.prob}, sigma={self.sigma}, '
                f'roles={self.roles})')


def _blend(img: np.ndarray, other, alpha: float) -> np.ndarray:
    """``alpha * img + (1 - alpha) * other`` in float, clipped to uint8."""
    out = alpha * img.astype(np.float32) + (1 - alpha) * np.asarray(
        other, dtype=np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


@TRANSFORMS.register_module()
class ColorJitter(BaseTransform):
    """Brightness, contrast and saturation jitter of each image, in a random
    order per image (torchvision's ``ColorJitter`` without hue, on BGR
    uint8): brightness multiplies by ``U(1 - b, 1 + b)``; contrast blends
    with the mean grey level by ``U(1 - c, 1 + c)``; saturation blends with
    the grey image by ``U(1 - s, 1 + s)``.

    Args:
        brightness, contrast, saturation: half-ranges of the factors (0:
            that jitter is off). MAT: 0.2 each.
        roles: roles of the frames to change (None: all).
    """

    def __init__(self,
                 brightness: float = 0.2,
                 contrast: float = 0.2,
                 saturation: float = 0.2,
                 roles: Optional[Sequence[str]] = None) -> None:
        for name, value in (('brightness', brightness),
                            ('contrast', contrast),
                            ('saturation', saturation)):
            if not 0. <= value < 1.:
                raise ValueError(f'{name} must be in [0, 1), got {value}')
        self.factors = dict(brightness=float(brightness),
                            contrast=float(contrast),
                            saturation=float(saturation))
        self.roles = _roles(roles)

    @staticmethod
    def _apply(img: np.ndarray, kind: str, alpha: float) -> np.ndarray:
        if kind == 'brightness':
            return _blend(img, 0., alpha)
        grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        if kind == 'contrast':
            return _blend(img, float(grey.mean()), alpha)
        return _blend(img, grey[..., None], alpha)

    def transform(self, results: dict) -> dict:
        rng = get_rng(results)
        kinds = [k for k, v in self.factors.items() if v > 0]
        for frame in iter_frames(results, self.roles):
            img = frame['img']
            for i in rng.permutation(len(kinds)):
                half = self.factors[kinds[i]]
                img = self._apply(img, kinds[i],
                                  rng.uniform(1 - half, 1 + half))
            frame['img'] = img
        return results

    def __repr__(self) -> str:
        args = ', '.join(f'{k}={v}' for k, v in self.factors.items())
        return f'{type(self).__name__}({args}, roles={self.roles})'


@TRANSFORMS.register_module()
class MotionBlur(BaseTransform):
    """Linear motion blur of each image with probability ``prob``: a line
    kernel of odd length drawn from ``kernel_size`` (px) at a uniform angle,
    normalised to sum 1.

    Args:
        prob: probability per image (MAT's input template: 0.2).
        kernel_size: ``(min, max)`` kernel length in px (MAT: 3 to 15).
        roles: roles of the frames to blur (None: all).
    """

    def __init__(self,
                 prob: float = 0.2,
                 kernel_size: Tuple[int, int] = (3, 15),
                 roles: Optional[Sequence[str]] = None) -> None:
        lo, hi = int(kernel_size[0]), int(kernel_size[1])
        if not 3 <= lo <= hi:
            raise ValueError(f'kernel_size must be (min, max) with 3 <= min '
                             f'<= max, got {kernel_size}')
        self.prob = float(prob)
        self.kernel_size = (lo, hi)
        self.roles = _roles(roles)

    @staticmethod
    def kernel(size: int, angle: float) -> np.ndarray:
        """``(size, size)`` float32 line kernel through the centre at
        ``angle`` degrees, summing to 1."""
        k = np.zeros((size, size), np.float32)
        c = (size - 1) / 2
        dx = np.cos(np.deg2rad(angle)) * c
        dy = np.sin(np.deg2rad(angle)) * c
        cv2.line(k, (int(round(c - dx)), int(round(c - dy))),
                 (int(round(c + dx)), int(round(c + dy))), 1.0, 1)
        return k / k.sum()

    def transform(self, results: dict) -> dict:
        rng = get_rng(results)
        lo, hi = self.kernel_size
        sizes = list(range(lo | 1, hi + 1, 2))
        for frame in iter_frames(results, self.roles):
            if rng.random() < self.prob:
                k = self.kernel(int(rng.choice(sizes)), rng.uniform(0, 180))
                frame['img'] = cv2.filter2D(frame['img'], -1, k)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(prob={self.prob}, '
                f'kernel_size={self.kernel_size}, roles={self.roles})')
