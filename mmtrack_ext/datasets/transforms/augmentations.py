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

__all__ = ['JointFlip', 'JointGrayscale', 'BrightnessJitter', 'GaussianBlur']


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
