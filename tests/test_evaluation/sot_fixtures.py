"""Tiny benchmark folders in the official layouts, and result writers, for
the evaluation tool tests (imported by path from the test files).

Frames are empty files: the loaders only list frame names, and offline
evaluation never decodes an image. Boxes are multiples of 0.25 px, so their
text form reads back exactly.
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

from mmtrack_ext.datasets.benchmark_meta import (load_benchmark_meta,
                                                 load_meta_json)


def touch(path: str) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    open(path, 'wb').close()


def write_text(path: str, text: str) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def box_lines(xywh: np.ndarray, sep: str = ',') -> str:
    def fmt(v):
        return 'NaN' if np.isnan(v) else f'{v:g}'
    return ''.join(sep.join(fmt(v) for v in row) + '\n' for row in xywh)


def gt_boxes(n: int, seed: int, x0: float = 5.0) -> np.ndarray:
    """``(n, 4)`` xywh: a 20x16 box drifting right, in multiples of 0.25."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=np.float64)
    xy = np.stack([x0 + t, 8 + 0.5 * t], 1) + rng.integers(0, 8, (n, 2))
    wh = np.stack([20 + rng.integers(0, 8, n), 16 + rng.integers(0, 8, n)],
                  1)
    return np.concatenate([xy, wh], 1).astype(np.float64)


def noisy(gt: np.ndarray, seed: int, sigma: float = 3.0) -> np.ndarray:
    """Predictions: ``gt`` plus noise (a fixed box where the GT is NaN),
    rounded to 0.25 px, sizes >= 1."""
    rng = np.random.default_rng(seed)
    base = np.where(np.isnan(gt), 30.0, gt)
    pred = np.round(4 * (base + rng.normal(0, sigma, gt.shape))) / 4
    pred[:, 2:] = np.maximum(pred[:, 2:], 1.0)
    return pred


# ----------------------------------------------------------------------
# benchmarks: each returns {name: {'gt': (N, 4), ...}}


def make_got10k(root: str, split: str = 'val', lengths=(12, 9),
                first_box_only: bool = False,
                prefix: str = 'GOT-10k') -> Dict[str, dict]:
    out = {}
    for i, n in enumerate(lengths):
        name = f'{prefix}_{split.capitalize()}_{i + 1:06d}'
        d = osp.join(root, split, name)
        for f in range(n):
            touch(osp.join(d, f'{f + 1:08d}.jpg'))
        gt = gt_boxes(n, seed=i)
        cover = np.full(n, 8)
        cover[n // 2] = 0  # one invisible frame
        write_text(osp.join(d, 'groundtruth.txt'),
                   box_lines(gt[:1] if first_box_only else gt))
        if not first_box_only:
            write_text(osp.join(d, 'cover.label'),
                       ''.join(f'{c}\n' for c in cover))
            write_text(osp.join(d, 'absence.label'),
                       ''.join(f'{int(c == 0)}\n' for c in cover))
        write_text(osp.join(d, 'meta_info.ini'),
                   '[METAINFO]\nresolution: (320, 240)\n')
        out[name] = dict(gt=gt, cover=cover, absent=(cover == 0).astype(int),
                         resolution=(320, 240))
    write_text(osp.join(root, split, 'list.txt'),
               ''.join(n + '\n' for n in out))
    return out


def make_lasot(root: str, names: Sequence[str], n: int = 10
               ) -> Dict[str, dict]:
    out = {}
    for i, name in enumerate(names):
        d = osp.join(root, name.rsplit('-', 1)[0], name)
        for f in range(n):
            touch(osp.join(d, 'img', f'{f + 1:08d}.jpg'))
        gt = gt_boxes(n, seed=10 + i)
        occ = np.zeros(n, int)
        oov = np.zeros(n, int)
        occ[n // 3] = 1
        oov[n - 1] = 1
        gt[[n // 3, n - 1]] = 0  # invisible frames are 0,0,0,0 in LaSOT
        write_text(osp.join(d, 'groundtruth.txt'), box_lines(gt))
        write_text(osp.join(d, 'full_occlusion.txt'),
                   ','.join(map(str, occ)) + '\n')
        write_text(osp.join(d, 'out_of_view.txt'), ','.join(map(str, oov)))
        out[name] = dict(gt=gt, target_visible=(occ == 0) & (oov == 0))
    return out


def make_trackingnet(root: str, chunk: str = 'TRAIN_0', lengths=(8, 11),
                     first_box_only: bool = False) -> Dict[str, dict]:
    out = {}
    for i, n in enumerate(lengths):
        name = f'{chunk.lower()}_video{i}_{n}'
        for f in range(n):
            touch(osp.join(root, chunk, 'frames', name, f'{f}.jpg'))
        gt = gt_boxes(n, seed=20 + i)
        write_text(osp.join(root, chunk, 'anno', name + '.txt'),
                   box_lines(gt[:1] if first_box_only else gt))
        out[name] = dict(gt=gt)
    return out


def make_tnl2k(root: str, names=('advSamp_Baseball_video_01', 'Cartoon_01'),
               n: int = 9) -> Dict[str, dict]:
    out = {}
    for i, name in enumerate(names):
        d = osp.join(root, name)
        for f in range(n):
            touch(osp.join(d, 'imgs', f'{f:05d}.png'))
        gt = gt_boxes(n, seed=30 + i)
        write_text(osp.join(d, 'groundtruth.txt'), box_lines(gt))
        write_text(osp.join(d, 'language.txt'), 'the ball\n')
        out[name] = dict(gt=gt)
    return out


def make_nfs(root: str, names=('car_jumping', 'shuffleboard_5')
             ) -> Dict[str, dict]:
    meta = {m['name']: m for m in load_meta_json('nfs.json')['sequences']}
    out = {}
    for i, name in enumerate(names):
        n = meta[name]['num_frames']
        base = osp.join(root, name, '30')
        for f in range(n):
            touch(osp.join(base, name, f'{f + 1:05d}.jpg'))
        gt = gt_boxes(n, seed=40 + i)
        lines = ''.join(
            f'1 {x:g} {y:g} {x + w:g} {y + h:g} {8 * f} 0 0 0 "{name}"\n'
            for f, (x, y, w, h) in enumerate(gt))
        write_text(osp.join(base, name + '.txt'), lines)
        out[name] = dict(gt=gt)
    return out


def make_otb(root: str) -> Dict[str, dict]:
    """``Deer`` (71 frames) and the two targets of ``Jogging`` (307)."""
    table = {s['name']: s for s in load_benchmark_meta('otb100')['sequences']}
    out = {}
    for folder, targets in (('Deer', ['Deer']),
                            ('Jogging', ['Jogging.1', 'Jogging.2'])):
        entry = table[targets[0]]
        for f in range(entry['start_frame'], entry['end_frame'] + 1):
            touch(osp.join(root, folder, 'img', f'{f:04d}.jpg'))
        for i, name in enumerate(targets):
            n = table[name]['end_frame'] - table[name]['start_frame'] + 1
            gt = gt_boxes(n, seed=50 + len(out))
            write_text(osp.join(root, folder, table[name]['anno_file']),
                       box_lines(gt, sep='\t' if i else ','))
            out[name] = dict(gt=gt, attributes=table[name]['attributes'])
    return out


def make_uav(root: str, nan_rows: bool = False,
             attributes: Optional[Dict[str, List[int]]] = None
             ) -> Dict[str, dict]:
    """``uav2`` (133 frames) and ``uav6`` (109), attribute files for
    ``attributes`` ({name: 12 flags})."""
    table = {s['name']: s for s in load_benchmark_meta('uav123')['sequences']}
    out = {}
    for i, name in enumerate(('uav2', 'uav6')):
        e = table[name]
        for f in range(e['start_frame'], e['end_frame'] + 1):
            touch(osp.join(root, 'data_seq', 'UAV123', e['folder'],
                           f'{f:06d}.jpg'))
        gt = gt_boxes(e['end_frame'] - e['start_frame'] + 1, seed=60 + i)
        if nan_rows and i == 0:
            gt[[20, 21]] = np.nan
        write_text(osp.join(root, 'anno', 'UAV123', f'{name}.txt'),
                   box_lines(gt))
        out[name] = dict(gt=gt)
    for name, flags in (attributes or {}).items():
        write_text(osp.join(root, 'anno', 'UAV123', 'att', f'{name}.txt'),
                   ','.join(map(str, flags)) + '\n')
    return out


# ----------------------------------------------------------------------
# results


def write_results(folder: str, preds: Dict[str, np.ndarray],
                  layout: str = 'pytracking', sep: str = ',',
                  names: Optional[Dict[str, str]] = None) -> None:
    """Write ``preds`` in ``layout``; ``names`` maps a sequence to the file
    stem another toolkit uses."""
    for seq, pred in preds.items():
        stem = (names or {}).get(seq, seq)
        if layout == 'got10k':
            path = osp.join(folder, stem, f'{stem}_001.txt')
        else:
            path = osp.join(folder, f'{stem}.txt')
        write_text(path, box_lines(pred, sep))
