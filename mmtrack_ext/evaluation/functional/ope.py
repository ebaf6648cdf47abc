"""One-pass evaluation (OPE) as pytracking and its STARK / OSTrack fork.

Reproduces ``calc_seq_err_robust`` + ``extract_results`` + the scores of
``plot_results`` (``evaluation.md`` section 2.2), per sequence:

1. any NaN prediction or predicted ``w``/``h`` < 0 raises (the toolkits
   abort the whole evaluation with "Invalid results"); here the error names
   the sequence and the frames;
2. NaN in the GT raises (``allow_nan_gt=True`` is for a later ``uav``
   flavour);
3. predictions with ``w == 0`` or ``h == 0`` (frames >= 1 whose GT row has
   no NaN) are replaced by the previous frame's (already repaired)
   prediction, so the repair cascades;
4. a longer prediction is truncated; a shorter one is padded with zero boxes
   (LaSOT mode, i.e. ``target_visible`` given: raises);
5. ``pred[0] = gt[0]`` (frame 0 forced to GT);
6. valid GT: ``ostrack`` flavour ``w > 0 and h > 0``; ``pytracking``
   flavour **all of** ``x, y, w, h > 0`` (so a GT touching the left/top
   border, ``x == 0`` or ``y == 0``, is invalid: an overlap failure but a
   normalised-precision hit); ``& target_visible`` when given;
7. IoU in the ``+1`` pixel form (:func:`~.box_metrics.iou_pixel`, no eps,
   no clip: identical non-integer boxes may give ``1 + 1e-16`` and count as
   a success at threshold 1.0, as in the toolkits); centre ``xy + (wh-1)/2``;
   normalised error divides both centres by the GT ``wh``;
8. invalid frames: overlap ``-1``, centre error ``inf``, normalised centre
   error ``-1`` (a hit at every threshold, as the toolkits); with
   ``target_visible`` (LaSOT mode) both centre errors are ``inf`` where the
   target is not visible; a NaN overlap raises;
9. curves: ``overlap > arange(0, 1.05, 0.05)`` (21 thresholds, strict),
   ``centre <= 0..50`` px, ``normalised <= (0..50) / 100``, each divided by
   ``L = len(gt)`` (or by the number of valid frames with
   ``exclude_invalid_frames=True``; zero then raises). Toolkit quirk kept:
   with ``exclude_invalid_frames`` the invalid frames still count as
   normalised-precision hits, so ``P_norm`` can exceed 1.

Scores (fractions, the toolkit prints them x100): ``AUC`` = mean over the 21
thresholds of the sequence-averaged success curve, ``OP50`` / ``OP75`` = that
curve at 0.5 / 0.75, ``P`` = precision curve at 20 px, ``P_norm`` =
normalised precision curve at 0.20.

Float details: the overlap thresholds are the values of ``torch.arange(0.,
1.05, 0.05, dtype=torch.float64)`` that the toolkits use (they differ from
``np.arange`` by one ulp at 0.65 and 0.75). The toolkits store the curves as
float32 tensors; here everything stays float64 (differences < 1e-6).
Multiple runs are not merged (the toolkits treat each run as a tracker).
"""
from typing import Mapping, Optional

import numpy as np

from .box_metrics import center_error, iou_pixel, normalized_center_error
from .protocols import (as_boxes, as_flags, check_sequences,
                        register_protocol, segment_counts_above,
                        segment_counts_at_most)

__all__ = [
    'OPE_KEYS', 'OVERLAP_THRESHOLDS', 'CENTER_THRESHOLDS',
    'NORM_CENTER_THRESHOLDS', 'ope_sequence_errors', 'evaluate_ope'
]

OPE_KEYS = ('AUC', 'P', 'P_norm', 'OP50', 'OP75')

# torch.arange(0.0, 1.05, 0.05, dtype=torch.float64) on CPU
OVERLAP_THRESHOLDS = np.arange(0, 1.05, 0.05)
OVERLAP_THRESHOLDS[13] = np.nextafter(0.65, 1.0)
OVERLAP_THRESHOLDS[15] = np.nextafter(0.75, 1.0)
OVERLAP_THRESHOLDS.flags.writeable = False
CENTER_THRESHOLDS = np.arange(0, 51, dtype=np.float64)
CENTER_THRESHOLDS.flags.writeable = False
NORM_CENTER_THRESHOLDS = np.arange(0, 51, dtype=np.float64) / 100.0
NORM_CENTER_THRESHOLDS.flags.writeable = False

_FLAVOURS = ('ostrack', 'pytracking')


def _frames_str(idx: np.ndarray, limit: int = 20) -> str:
    idx = [int(i) for i in idx]
    s = ', '.join(map(str, idx[:limit]))
    return s + (f', ... ({len(idx)} in all)' if len(idx) > limit else '')


def _is_multi_run(pred) -> bool:
    if isinstance(pred, (list, tuple)):
        return len(pred) > 0 and np.ndim(pred[0]) == 2
    return pred is not None and np.ndim(pred) == 3


def _prepare_pred(pred: np.ndarray, gt: np.ndarray, name: str,
                  lasot_mode: bool, allow_nan_gt: bool) -> np.ndarray:
    """Steps 1-5 of the module docstring for one sequence (vectorised)."""
    bad = np.isnan(pred).any(1) | (pred[:, 2:] < 0).any(1)
    if bad.any():
        raise ValueError(
            f'sequence {name!r}: invalid predictions (NaN or negative w/h) '
            f'in frames [{_frames_str(np.nonzero(bad)[0])}]; the OPE '
            'toolkits (pytracking/OSTrack) refuse to evaluate them')
    gt_nan = np.isnan(gt).any(1)
    if gt_nan.any() and not allow_nan_gt:
        raise ValueError(f'sequence {name!r}: NaN in the GT of frames '
                         f'[{_frames_str(np.nonzero(gt_nan)[0])}]')
    n_gt, n_pred = len(gt), len(pred)
    if n_pred > n_gt:
        pred = pred[:n_gt]
    elif n_pred < n_gt and lasot_mode:
        raise ValueError(f'sequence {name!r}: {n_pred} predictions for '
                         f'{n_gt} GT frames (LaSOT mode refuses to pad)')
    pred = pred.copy()
    m = len(pred)
    # zero-size repair, cascading: frame i takes the last frame j <= i that
    # was not replaced (frame 0 is never replaced)
    zero = (pred[:, 2:] == 0).any(1)
    replace = zero & ~gt_nan[:m]
    replace[:1] = False
    if replace.any():
        src = np.where(replace, 0, np.arange(m))
        np.maximum.accumulate(src, out=src)
        pred = pred[src]
    if m < n_gt:
        pred = np.concatenate([pred, np.zeros((n_gt - m, 4))])
    if n_gt:
        pred[0] = gt[0]
    return pred


def ope_sequence_errors(pred: np.ndarray,
                        gt: np.ndarray,
                        flavour: str = 'ostrack',
                        target_visible: Optional[np.ndarray] = None,
                        allow_nan_gt: bool = False,
                        invalid_center: float = float('inf'),
                        name: str = '?'):
    """Per-frame errors of one sequence (pytracking's
    ``calc_seq_err_robust``).

    Returns:
        ``(overlap, center, center_norm, valid)`` arrays of ``len(gt)``.
    """
    if flavour not in _FLAVOURS:
        raise ValueError(f'unknown OPE flavour {flavour!r}; one of '
                         f'{_FLAVOURS}')
    pred = as_boxes(pred, name, 'pred')
    gt = as_boxes(gt, name, 'gt')
    lasot_mode = target_visible is not None
    pred = _prepare_pred(pred, gt, name, lasot_mode, allow_nan_gt)
    with np.errstate(invalid='ignore'):
        if flavour == 'pytracking':
            valid = (gt > 0).all(1)
        else:
            valid = (gt[:, 2:] > 0).all(1)
    if lasot_mode:
        visible = as_flags(target_visible, name, 'target_visible', len(gt),
                           True).astype(bool)
        valid &= visible
    overlap = iou_pixel(pred, gt)
    center = center_error(pred, gt)
    center_norm = normalized_center_error(pred, gt)
    overlap[~valid] = -1.0
    center[~valid] = invalid_center
    center_norm[~valid] = -1.0
    if lasot_mode:
        center[~visible] = np.inf
        center_norm[~visible] = np.inf
    if np.isnan(overlap).any():
        raise ValueError(
            f'sequence {name!r}: NaN overlap in frames '
            f'[{_frames_str(np.nonzero(np.isnan(overlap))[0])}]')
    return overlap, center, center_norm, valid


def evaluate_ope(sequences: Mapping[str, Mapping],
                 flavour: str = 'ostrack',
                 exclude_invalid_frames: bool = False,
                 allow_nan_gt: bool = False,
                 invalid_center: float = float('inf')) -> dict:
    """OPE success / precision of ``{name: {'pred', 'gt',
    'target_visible'}}`` (xywh) as pytracking or the STARK/OSTrack fork.

    Args:
        sequences: see :mod:`.protocols`; ``target_visible`` switches the
            sequence to pytracking's LaSOT mode.
        flavour: ``'ostrack'`` (valid GT: ``w, h > 0``) or ``'pytracking'``
            (valid GT: ``x, y, w, h > 0``).
        exclude_invalid_frames: divide the curves by the number of valid
            frames instead of ``len(gt)``.
        allow_nan_gt, invalid_center: hooks for a ``uav``-style flavour
            (NaN GT rows are invalid frames with centre error
            ``invalid_center``).

    Returns:
        ``{'overall': {'AUC', 'P', 'P_norm', 'OP50', 'OP75',
        'num_sequences'}, 'per_sequence': {name: {... same ..., 'mean_iou'
        (mean overlap of the valid frames, pytracking's ``avg_overlap_all``),
        'num_frames' (L), 'num_valid'}}, 'curves': {'success', 'precision',
        'norm_precision', and their thresholds}}``.
    """
    check_sequences(sequences)
    names = list(sequences)
    n_seq = len(names)
    overlaps, centers, norms, valids, segs = [], [], [], [], []
    lengths = np.zeros(n_seq)
    for s, name in enumerate(names):
        seq = sequences[name]
        if _is_multi_run(seq.get('pred')):
            raise ValueError(f'sequence {name!r}: OPE protocols take one run '
                             '(N, 4); evaluate repetitions separately')
        o, c, cn, v = ope_sequence_errors(
            seq.get('pred'), seq.get('gt'), flavour,
            seq.get('target_visible'), allow_nan_gt, invalid_center, name)
        length = int(v.sum()) if exclude_invalid_frames else len(o)
        if length <= 0:
            raise ValueError(f'sequence {name!r}: no frame to evaluate '
                             '(sequence length zero)')
        lengths[s] = length
        overlaps.append(o)
        centers.append(c)
        norms.append(cn)
        valids.append(v)
        segs.append(np.full(len(o), s, dtype=np.int64))
    if n_seq:
        overlap = np.concatenate(overlaps)
        center = np.concatenate(centers)
        norm = np.concatenate(norms)
        valid = np.concatenate(valids)
        seg = np.concatenate(segs)
    else:
        overlap = center = norm = np.zeros(0)
        valid = np.zeros(0, bool)
        seg = np.zeros(0, np.int64)

    succ = segment_counts_above(overlap, seg, n_seq,
                                OVERLAP_THRESHOLDS) / lengths[:, None]
    prec = segment_counts_at_most(center, seg, n_seq,
                                  CENTER_THRESHOLDS) / lengths[:, None]
    nprec = segment_counts_at_most(norm, seg, n_seq,
                                   NORM_CENTER_THRESHOLDS) / lengths[:, None]
    n_valid = np.bincount(seg[valid], minlength=n_seq)
    iou_sum = np.bincount(seg[valid], weights=overlap[valid],
                          minlength=n_seq)
    with np.errstate(invalid='ignore', divide='ignore'):
        mean_iou = iou_sum / n_valid

    def scores(s_curve, p_curve, n_curve):
        return {
            'AUC': float(np.mean(s_curve)),
            'P': float(p_curve[20]),
            'P_norm': float(n_curve[20]),
            'OP50': float(s_curve[10]),
            'OP75': float(s_curve[15]),
        }

    per_sequence = {}
    for s, name in enumerate(names):
        d = scores(succ[s], prec[s], nprec[s])
        d.update(mean_iou=float(mean_iou[s]), num_frames=int(lengths[s]),
                 num_valid=int(n_valid[s]))
        per_sequence[name] = d
    if n_seq:
        s_mean, p_mean, n_mean = succ.mean(0), prec.mean(0), nprec.mean(0)
        overall = scores(s_mean, p_mean, n_mean)
    else:
        s_mean = np.full(len(OVERLAP_THRESHOLDS), np.nan)
        p_mean = n_mean = np.full(len(CENTER_THRESHOLDS), np.nan)
        overall = {k: float('nan') for k in OPE_KEYS}
    overall['num_sequences'] = n_seq
    return {
        'overall': overall,
        'per_sequence': per_sequence,
        'curves': {
            'success': s_mean,
            'precision': p_mean,
            'norm_precision': n_mean,
            'overlap_thresholds': np.array(OVERLAP_THRESHOLDS),
            'center_thresholds': np.array(CENTER_THRESHOLDS),
            'norm_center_thresholds': np.array(NORM_CENTER_THRESHOLDS),
        },
    }


register_protocol(
    'ostrack',
    OPE_KEYS,
    description='STARK/OSTrack fork of pytracking analysis: frame 0 = GT, '
    'valid GT w,h>0, 21-bin AUC, P@20px, P_norm@0.2',
    flavour='ostrack')(evaluate_ope)
register_protocol(
    'pytracking',
    OPE_KEYS,
    description='pytracking analysis: as ostrack but valid GT needs '
    'x,y,w,h>0',
    flavour='pytracking')(evaluate_ope)
