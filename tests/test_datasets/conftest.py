"""Fixtures of the dataset tests: tiny GOT-10k-layout folders."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
import pytest


def write_got10k(root: str,
                 split: str = 'train',
                 lengths: Sequence[int] = (24, ),
                 absent: Optional[Dict[int, Sequence[int]]] = None,
                 occluded: Optional[Dict[int, Sequence[int]]] = None,
                 size=(48, 64),
                 labels: bool = True,
                 meta: bool = True,
                 first_box_only: bool = False,
                 prefix: str = 'GOT-10k',
                 seed: int = 0) -> List[Dict]:
    """Write videos of ``lengths`` frames in the GOT-10k layout.

    Frames are small JPEGs of ``size`` ``(H, W)``: random background and a
    bright target rectangle moving 1 px per frame. ``absent`` / ``occluded``
    map a video index to its 0-based frames with ``absence = 1`` /
    ``cover = 0``. Returns, per video, ``name``, ``xywh`` ``(N, 4)``,
    ``absence`` and ``cover`` ``(N,)``.
    """
    rng = np.random.default_rng(seed)
    absent, occluded = absent or {}, occluded or {}
    h, w = size
    split_dir = osp.join(root, split)
    os.makedirs(split_dir, exist_ok=True)
    out = []
    for i, n in enumerate(lengths):
        name = f'{prefix}_{split.capitalize()}_{i + 1:06d}'
        seq_dir = osp.join(split_dir, name)
        os.makedirs(seq_dir, exist_ok=True)
        t = np.arange(n, dtype=np.float64)
        xywh = np.stack([4 + (t % 30), 6 + 0.5 * (t % 20),
                         np.full(n, 16.), np.full(n, 12.)], axis=1)
        absence = np.zeros(n, dtype=np.int64)
        absence[list(absent.get(i, ()))] = 1
        cover = np.full(n, 8, dtype=np.int64)
        cover[list(occluded.get(i, ()))] = 0
        cover[absence == 1] = 0
        background = rng.integers(0, 120, (h, w, 3), dtype=np.uint8)
        for f in range(n):
            img = background.copy()
            if not absence[f]:
                x, y, bw, bh = xywh[f].astype(int)
                img[y:y + bh, x:x + bw] = 230
            cv2.imwrite(osp.join(seq_dir, f'{f + 1:08d}.jpg'), img)
        rows = xywh[:1] if first_box_only else xywh
        with open(osp.join(seq_dir, 'groundtruth.txt'), 'w') as fh:
            fh.write(''.join(f'{x:.4f},{y:.4f},{bw:.4f},{bh:.4f}\n'
                             for x, y, bw, bh in rows))
        if labels:
            with open(osp.join(seq_dir, 'absence.label'), 'w') as fh:
                fh.write(''.join(f'{a}\n' for a in absence))
            with open(osp.join(seq_dir, 'cover.label'), 'w') as fh:
                fh.write(''.join(f'{c}\n' for c in cover))
        if meta:
            with open(osp.join(seq_dir, 'meta_info.ini'), 'w') as fh:
                fh.write('[METAINFO]\nobject_class: box\n'
                         f'resolution: ({w}, {h})\n')
        out.append(dict(name=name, xywh=xywh, absence=absence, cover=cover,
                        dir=seq_dir))
    with open(osp.join(split_dir, 'list.txt'), 'w') as fh:
        fh.write(''.join(v['name'] + '\n' for v in out))
    return out


@pytest.fixture
def make_got10k(tmp_path):
    """Factory ``make_got10k(split='train', lengths=(24,), root=None, ...)
    -> (root, videos)`` writing into this test's ``tmp_path`` (arguments of
    :func:`write_got10k`; pass ``root`` to add splits or datasets)."""

    def make(split='train', root=None, **kwargs):
        root = str(tmp_path / 'got10k') if root is None else root
        return root, write_got10k(root, split, **kwargs)

    return make
