"""Helpers shared by the transforms."""
from typing import Iterator, Optional, Sequence

import numpy as np

__all__ = ['get_rng', 'iter_frames']


def get_rng(results: dict) -> np.random.Generator:
    """The sample's generator ``results['rng']`` (set by
    :class:`~mmtrack_ext.datasets.SOTPairDataset`), or a fresh
    non-deterministic one when there is none."""
    rng = results.get('rng')
    if rng is None:
        rng = np.random.default_rng()
        results['rng'] = rng
    return rng


def iter_frames(results: dict,
                roles: Optional[Sequence[str]] = None) -> Iterator[dict]:
    """The frame dicts of ``results`` whose ``role`` is in ``roles`` (all
    frames when ``roles`` is None), in order."""
    for frame in results['frames']:
        if roles is None or frame.get('role') in roles:
            yield frame
