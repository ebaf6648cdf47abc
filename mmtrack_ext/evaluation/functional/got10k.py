"""GOT-10k protocol: got10k toolkit ``ExperimentGOT10k.report`` (PyPI 0.1.3).

Conventions reproduced (``evaluation.md`` section 2.1):

- per sequence and repetition, IoU of frames ``1..N-1`` by
  :func:`~.box_metrics.iou_got10k` with ``bound = resolution`` (image
  bound, *including the left/top shift quirk*: a box sticking out on the
  left/top is shifted into the image, not cropped), clipped to ``[0, 1]``;
  **frame 0 is excluded**;
- only frames with ``cover > 0`` are kept (``cover == 0``: target
  invisible);
- the IoUs of all sequences and repetitions are **pooled**, so ``AO`` and
  ``SR`` are frame-weighted: ``AO = mean(iou)``, ``SR0.5 = mean(iou > 0.5)``
  (strict), ``SR0.75`` = the 101-point success curve
  ``mean(iou > linspace(0, 1, 101))`` at index 75 (the threshold is exactly
  0.75);
- a NaN prediction gives a NaN IoU, so ``AO`` (and the sequence's AO) is
  NaN, as in the toolkit (``np.mean``); NaN counts as a failure in SR;
- predictions and GT must have the same shape (the toolkit asserts).

Choices where the toolkit has no answer (documented, not toolkit facts):

- ``cover`` unknown (missing or -1 in a frame): the frame is kept unless
  ``absent`` says 1 (absent flags unknown as well: kept);
- ``resolution`` missing: no image bound (the toolkit always has one);
- unlike the toolkit, the caller's arrays are never modified in place.
"""
from typing import Mapping

import numpy as np

from .box_metrics import iou_got10k
from .protocols import (as_boxes, as_flags, check_sequences,
                        register_protocol, segment_counts_above)

__all__ = ['GOT10K_KEYS', 'GOT10K_THRESHOLDS', 'evaluate_got10k',
           'got10k_valid_frames']

GOT10K_KEYS = ('AO', 'SR0.5', 'SR0.75')
GOT10K_THRESHOLDS = np.linspace(0, 1, 101)


def _repetitions(pred, name: str, gt_shape) -> list:
    if isinstance(pred, (list, tuple)) and len(pred) > 0 and np.ndim(
            pred[0]) == 2:
        reps = [as_boxes(p, name, f'pred[{i}]') for i, p in enumerate(pred)]
    else:
        arr = np.asarray(pred, dtype=np.float64) if pred is not None else None
        if arr is not None and arr.ndim == 3:
            reps = [as_boxes(p, name, f'pred[{i}]') for i, p in enumerate(arr)]
        else:
            reps = [as_boxes(pred, name, 'pred')]
    for i, r in enumerate(reps):
        if r.shape != gt_shape:
            raise ValueError(
                f'sequence {name!r}: prediction {i} has shape {r.shape}, GT '
                f'has {gt_shape}; the GOT-10k protocol needs one box per GT '
                'frame')
    return reps


def got10k_valid_frames(cover=None, absent=None, length: int = None,
                        name: str = '?') -> np.ndarray:
    """Frames the GOT-10k protocol scores: ``cover > 0`` where known.

    Where ``cover`` is unknown (None or -1) the frame is kept unless
    ``absent == 1``.
    """
    cover = as_flags(cover, name, 'cover', length, -1).astype(np.int64)
    absent = as_flags(absent, name, 'absent', length, -1).astype(np.int64)
    return np.where(cover >= 0, cover > 0, absent != 1)


@register_protocol(
    'got10k',
    GOT10K_KEYS,
    description='got10k toolkit ExperimentGOT10k: frame 0 excluded, '
    'cover==0 excluded, image bound, IoUs pooled over frames')
def evaluate_got10k(sequences: Mapping[str, Mapping]) -> dict:
    """GOT-10k AO / SR of ``{name: {'pred', 'gt', 'cover', 'absent',
    'resolution', 'times'}}`` (xywh; see module docstring).

    Returns:
        ``{'overall': {'AO', 'SR0.5', 'SR0.75', 'num_frames'[, 'FPS']},
        'per_sequence': {name: {'AO', 'SR0.5', 'SR0.75', 'num_frames',
        'length'[, 'FPS']}}, 'curves': {'success': (101,), 'thresholds':
        (101,)}}``. ``num_frames`` counts the scored IoUs (all
        repetitions), ``length`` is ``len(gt) - 1`` as in the toolkit.
        ``FPS`` (mean of ``1 / t`` over the finite positive ``times``,
        pooled) appears only when times are given.
    """
    check_sequences(sequences)
    names = list(sequences)
    preds, gts, bounds, has_bound, keeps, segs = [], [], [], [], [], []
    lengths, times = [], []
    for s, name in enumerate(names):
        seq = sequences[name]
        gt = as_boxes(seq.get('gt'), name, 'gt')
        reps = _repetitions(seq.get('pred'), name, gt.shape)
        n = len(gt)
        lengths.append(max(n - 1, 0))
        keep = got10k_valid_frames(seq.get('cover'), seq.get('absent'), n,
                                   name)[1:]
        res = seq.get('resolution')
        if res is not None:
            res = np.asarray(res, dtype=np.float64).reshape(-1)
            if res.shape != (2, ):
                raise ValueError(f'sequence {name!r}: resolution must be '
                                 f'(W, H), got {res.tolist()}')
        for rep in reps:
            preds.append(rep[1:])
            gts.append(gt[1:])
            keeps.append(keep)
            segs.append(np.full(n - 1 if n else 0, s, dtype=np.int64))
            bounds.append(np.broadcast_to(
                res if res is not None else np.zeros(2), (max(n - 1, 0), 2)))
            has_bound.append(np.full(max(n - 1, 0), res is not None))
        t = seq.get('times')
        if t is not None:
            t = np.asarray(t, dtype=np.float64).reshape(-1)
            t = t[~np.isnan(t)]
            times.append((s, t[t > 0]))

    n_seq = len(names)
    if preds:
        pred = np.concatenate(preds)
        gt = np.concatenate(gts)
        keep = np.concatenate(keeps).astype(bool)
        seg = np.concatenate(segs)
        bound = np.concatenate(bounds)
        hb = np.concatenate(has_bound)
    else:
        pred = gt = np.zeros((0, 4))
        keep = hb = np.zeros(0, bool)
        seg = np.zeros(0, np.int64)
        bound = np.zeros((0, 2))

    ious_bounded = iou_got10k(pred[hb], gt[hb], bound=bound[hb])
    ious = np.empty(len(pred))
    ious[hb] = ious_bounded
    ious[~hb] = iou_got10k(pred[~hb], gt[~hb])
    ious = ious[keep]
    seg = seg[keep]

    # overall: pooled frames (np.mean, as the toolkit)
    thr = GOT10K_THRESHOLDS
    with np.errstate(invalid='ignore'):
        ao = float(np.mean(ious)) if len(ious) else float('nan')
    counts = segment_counts_above(ious, seg, n_seq, thr)
    total = counts.sum(0)
    curve = total / len(ious) if len(ious) else np.full(len(thr), np.nan)
    overall = {
        'AO': ao,
        'SR0.5': float(np.mean(ious > 0.5)) if len(ious) else float('nan'),
        'SR0.75': float(curve[75]),
        'num_frames': int(len(ious)),
    }

    # per sequence (the toolkit's 'seq_wise'); NaN where no frame is scored
    n_per = np.bincount(seg, minlength=n_seq)
    sums = np.bincount(seg, weights=ious, minlength=n_seq)
    sr50 = np.bincount(seg, weights=ious > 0.5, minlength=n_seq)
    with np.errstate(invalid='ignore', divide='ignore'):
        ao_seq = sums / n_per
        sr50_seq = sr50 / n_per
        sr75_seq = counts[:, 75] / n_per
    per_sequence = {}
    for s, name in enumerate(names):
        per_sequence[name] = {
            'AO': float(ao_seq[s]),
            'SR0.5': float(sr50_seq[s]),
            'SR0.75': float(sr75_seq[s]),
            'num_frames': int(n_per[s]),
            'length': int(lengths[s]),
        }
    if times:
        for s, t in times:
            per_sequence[names[s]]['FPS'] = (
                float(np.mean(1. / t)) if len(t) else -1.)
        pooled = np.concatenate([t for _, t in times])
        overall['FPS'] = float(np.mean(1. / pooled)) if len(pooled) else -1.
    return {
        'overall': overall,
        'per_sequence': per_sequence,
        'curves': {'success': curve, 'thresholds': thr.copy()},
    }
