"""One-pass evaluation (OPE): success, precision and normalised precision.

One engine, several *flavours*, each reproducing one official toolkit
(``evaluation.md`` sections 2-3). Per frame a flavour yields an overlap, a
centre error and a normalised centre error; the engine turns them into
per-sequence curves (threshold counts divided by a per-sequence
denominator), averages the curves over sequences and reads the scores off
them. Everything runs on the concatenation of all frames of all sequences
(``np.searchsorted`` + ``np.bincount``; no per-threshold or per-frame Python
loops), so a LaSOT-sized set evaluates in a fraction of a second.

Flavours (``flavour=``) and the registered protocols using them:

``ostrack`` / ``pytracking`` (protocols ``ostrack``, ``pytracking``,
``uav``) - pytracking's ``calc_seq_err_robust`` + ``extract_results`` +
``plot_results`` and the byte-identical STARK / OSTrack fork:

1. any NaN prediction or predicted ``w``/``h`` < 0 (in any row, also rows
   past the GT) raises, as the toolkits abort with "Invalid results"; the
   error names the sequence and frames;
2. NaN in the GT raises unless ``dataset='uav'``;
3. predictions with ``w == 0`` or ``h == 0`` (frames >= 1 whose GT row has
   no NaN) are replaced by the previous frame's (already repaired)
   prediction: the repair cascades;
4. a longer prediction is truncated; a shorter one is padded with zero
   boxes (not repaired), except in LaSOT mode, which raises. (The toolkits
   repair before truncating and crash with an index error on a zero-size
   box past the last GT frame; rows past the GT are ignored here.);
5. ``pred[0] = gt[0]``;
6. valid GT: ``ostrack`` ``w > 0 and h > 0``; ``pytracking`` **all of**
   ``x, y, w, h > 0`` (a GT touching the left/top border is invalid);
   ``& target_visible`` whenever a sequence carries it (any dataset);
7. IoU in the ``+1`` pixel form (:func:`~.box_metrics.iou_pixel`: no eps,
   no clip, identical non-integer boxes may give ``1 + 1e-16`` and count
   at threshold 1.0); centre ``xy + (wh - 1) / 2``; the normalised error
   divides both centres by the GT ``wh``;
8. invalid frames: overlap ``-1`` (a failure), centre error ``inf`` (a
   failure; ``-1``, a hit, for ``dataset='uav'``), normalised centre
   error ``-1`` (a hit at every threshold, as the toolkits); in LaSOT mode
   both centre errors are ``inf`` where the target is not visible; a NaN
   overlap raises;
9. curves ``overlap > arange(0, 1.05, 0.05)`` (float64 torch values),
   ``centre <= 0..50`` px, ``normalised <= (0..50) / 100``, divided by
   ``L = len(gt)`` (``exclude_invalid_frames=True``: by the number of valid
   frames, zero raises; toolkit quirk kept: invalid frames still count as
   normalised-precision hits, so ``P_norm`` can exceed 1).

The toolkits switch on the sequence's dataset name (``seq.dataset``);
``dataset=`` mirrors it: ``'lasot'`` (LaSOT mode: shorter predictions raise,
invisible frames fail both precisions), ``'uav'`` (NaN GT allowed, invalid
frames are precision hits), ``'lasot_extension_subset'`` or any other
string (generic: ``target_visible`` only enters the validity, so invisible
frames fail overlap and precision but are normalised-precision hits, and
short predictions are padded - what the toolkits do on LaSOT_ext), or
``None`` (default): LaSOT mode for sequences that carry ``target_visible``,
generic otherwise. ``'lasot'`` without ``target_visible``: all visible.

``otb`` (protocol ``otb``) - got10k toolkit ``ExperimentOTB`` (PyPI 0.1.3),
also ``ExperimentUAV123`` / ``ExperimentLaSOT`` (master) with
``drop_nan_gt=True``:

- predictions and GT must have the same length (the toolkit asserts);
- ``pred[0] = gt[0]``; IoU :func:`~.box_metrics.iou_got10k` without image
  bound (continuous, eps, clipped to [0, 1], NaN stays NaN and fails);
  centre error :func:`~.box_metrics.center_error` (NaN fails);
- no validity test and no repair: GT ``0,0,0,0`` or NaN is a failure,
  zero-size / NaN / negative predictions are scored as they are;
- ``drop_nan_gt=True``: GT rows holding NaN are dropped from numerator and
  denominator (``ExperimentUAV123._calc_metrics``); a sequence left without
  frames has NaN curves, so the overall scores are NaN as in the toolkit
  (its ``len(valid) == 0`` guard never fires);
- curves ``iou > linspace(0, 1, 21)``, ``ce <= arange(0, 51)`` and, not
  part of ExperimentOTB, the normalised curve of got10k master's LaSOT
  experiment ``nce <= linspace(0, 0.5, 51)`` with
  :func:`~.box_metrics.normalized_center_error_got10k`; each is a mean
  over the (kept) frames.

``lasot_matlab`` (protocol ``lasot_matlab``) - the LaSOT MATLAB toolkit
(``calc_seq_err_robust.m``, ``eval_tracker.m``, ``plot_draw_save.m``):

- a longer prediction is truncated; a shorter non-empty one raises (MATLAB
  index error); an **empty** prediction gives all-zero curves (the toolkit
  ``break``s and leaves zeros), which the average then drops;
- frames ``i >= 1`` whose prediction has a NaN or ``w <= 0`` or ``h <= 0``
  and whose GT row has no NaN take the previous (repaired) prediction;
- ``pred[0] = gt[0]``; frames with ``absent == 1`` are removed from the
  numerators (flags: ``absent``, else ``not target_visible``, else none);
- valid GT: all of ``x, y, w, h > 0``; valid frames get
  :func:`~.box_metrics.iou_rect_int` (``+1`` form, NaN-ignoring max/min)
  and the centre errors; invalid ones overlap ``-1`` (a failure) and
  **centre errors -1** (hits in both precisions);
- curves ``overlap > 0:0.05:1``, ``centre <= 0:50`` and ``normalised <=
  (0:50)/100``, counts divided by ``len(gt) + eps`` (all frames, absent
  ones included, ``eps = 2**-52``);
- sequences whose whole curve sums to ``<= eps`` are dropped **per curve**
  before the sequence mean (``aa(sum(aa,2)>eps,:)``); all dropped gives
  NaN (MATLAB ``mean`` of an empty matrix). With exactly one sequence left
  MATLAB's ``mean`` would reduce the row itself and the precision ranking
  errors; here the usual curve value is returned;
- ``threshold_grid``: ``'matlab'`` (default) builds ``0:0.05:1`` as
  MATLAB's colon operator does (first half ``k * 0.05``, second half ``1 -
  (20 - k) * 0.05``; 0.6, 0.65, 0.7, 0.85, 0.95 one ulp lower than
  ``k * 0.05``); ``'octave'`` uses GNU Octave's ``k * 0.05``. The grids
  only disagree for an IoU within one ulp of those thresholds.

``trackingnet`` (protocol ``trackingnet``) - the TrackingNet server
(devkit ``metrics.py``, whose README calls it the evaluation code in use):

- rows past the GT are dropped, missing rows are NaN (pandas index
  alignment); all coordinates ``np.round``-ed; ``pred[0] = gt[0]``;
- per frame :func:`~.box_metrics.trackingnet_box_errors`; a NaN IoU or
  distance fails. Quirk kept: the intersection's max/min skip NaN and the
  area only uses ``w, h``, so a prediction with only ``x`` or ``y`` NaN
  keeps IoU credit (its distances are NaN, failures);
- curves ``iou >= linspace(0, 1, 21)`` (**non-strict**), ``dist <=
  linspace(0, 50, 21)``, ``ndist <= linspace(0, 0.5, 21)``, divided by
  ``len(gt)``;
- scores are **trapezoid areas** ``np.trapz(curve, x=linspace(0, 1,
  21))``: ``AUC`` (success), ``P`` (precision over 0..50 px, normalised to
  [0, 1]), ``P_norm`` (over 0..0.5); not values at 20 px / 0.2 (the
  thresholds 20 px and 0.2 are index 8 of the curves);
- also ``coverage``: fraction of frames (pooled) whose rounded ``w + h + x
  + y > 0`` (the server's "sanity check" percentage).
  (An earlier devkit revision compared ``iou > t``; the latest, used here,
  ``>=``.)

Scores of the mean-based flavours (fractions; the toolkits print x100):
``AUC`` = mean of the sequence-averaged success curve (21 points),
``OP50`` / ``OP75`` = that curve at 0.5 / 0.75, ``P`` = precision curve at
20 px, ``P_norm`` = normalised precision curve at 0.20. TrackingNet:
trapezoid areas as above; ``OP50`` / ``OP75`` still the curve values.

Float details: the toolkits store pytracking curves as float32; here
everything stays float64 (differences < 1e-6). Multiple runs are not
merged (the toolkits treat each run as a tracker).
"""
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, NamedTuple, Optional

import numpy as np

from .box_metrics import (center_error, iou_got10k, iou_pixel, iou_rect_int,
                          normalized_center_error,
                          normalized_center_error_got10k,
                          trackingnet_box_errors)
from .protocols import (as_boxes, as_flags, check_sequences,
                        register_protocol, segment_counts_above,
                        segment_counts_at_most)

__all__ = [
    'OPE_KEYS', 'OPE_FLAVOURS', 'OVERLAP_THRESHOLDS', 'CENTER_THRESHOLDS',
    'NORM_CENTER_THRESHOLDS', 'OPEFrameErrors', 'ope_sequence_errors',
    'evaluate_ope', 'matlab_colon'
]

OPE_KEYS = ('AUC', 'P', 'P_norm', 'OP50', 'OP75')

_MATLAB_EPS = float(np.finfo(float).eps)  # MATLAB ``eps`` = 2 ** -52


def _frozen(a) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    a.flags.writeable = False
    return a


def matlab_colon(start: float, step: float, stop: float) -> np.ndarray:
    """``start:step:stop`` as MATLAB builds it (for an exact step count).

    MATLAB works symmetrically from both ends: element ``k`` is ``start +
    k * step`` in the first half and ``stop - (n - k) * step`` in the
    second; for even ``n`` the middle one is ``(start + stop) / 2``. GNU
    Octave uses ``start + k * step`` throughout.
    """
    n = int(round((stop - start) / step))
    k = np.arange(n + 1, dtype=np.float64)
    out = np.where(k <= n / 2, start + k * step, stop - (n - k) * step)
    if n % 2 == 0:
        out[n // 2] = (start + stop) / 2
    return out


# pytracking / STARK / OSTrack: torch.arange(0.0, 1.05, 0.05, float64) on
# CPU (differs from np.arange by one ulp at 0.65 and 0.75)
_torch_grid = np.arange(0, 1.05, 0.05)
_torch_grid[13] = np.nextafter(0.65, 1.0)
_torch_grid[15] = np.nextafter(0.75, 1.0)
OVERLAP_THRESHOLDS = _frozen(_torch_grid)
CENTER_THRESHOLDS = _frozen(np.arange(0, 51, dtype=np.float64))
NORM_CENTER_THRESHOLDS = _frozen(np.arange(0, 51, dtype=np.float64) / 100.0)

_LINSPACE_21 = _frozen(np.linspace(0, 1, 21))
_GOT10K_NORM = _frozen(np.linspace(0, 0.5, 51))
_MATLAB_OVERLAP = _frozen(matlab_colon(0.0, 0.05, 1.0))
_OCTAVE_OVERLAP = _frozen(np.arange(21) * 0.05)
_TN_CENTER = _frozen(np.linspace(0, 50, 21))
_TN_NORM = _frozen(np.linspace(0, 0.5, 21))


class OPEFrameErrors(NamedTuple):
    """Per-frame errors of a flavour, one entry per GT frame.

    Attributes:
        overlap: IoU, ``-1`` on invalid frames where the toolkit says so.
        center: centre error in pixels (``inf`` / ``-1`` conventions of
            the flavour).
        center_norm: normalised centre error.
        valid: frames the toolkit treats as valid (``mean_iou`` uses them).
        counted: frames entering the numerators (``False``: dropped, e.g.
            LaSOT-MATLAB absent frames, got10k UAV NaN-GT rows).
    """
    overlap: np.ndarray
    center: np.ndarray
    center_norm: np.ndarray
    valid: np.ndarray
    counted: np.ndarray


@dataclass
class _Frames:
    """All sequences' frames, concatenated (one row per GT frame)."""
    names: List[str]
    pred: np.ndarray  # (M, 4) prepared predictions
    gt: np.ndarray  # (M, 4)
    seg: np.ndarray  # (M,) sequence index
    first: np.ndarray  # (M,) frame 0 of its sequence
    n_gt: np.ndarray  # (S,) GT frames per sequence
    flags: Dict[str, np.ndarray]  # flavour-specific per-frame arrays


def _frames_str(idx, limit: int = 20) -> str:
    idx = [int(i) for i in idx]
    s = ', '.join(map(str, idx[:limit]))
    return s + (f', ... ({len(idx)} in all)' if len(idx) > limit else '')


def _is_multi_run(pred) -> bool:
    if isinstance(pred, (list, tuple)):
        return len(pred) > 0 and np.ndim(pred[0]) == 2
    return pred is not None and np.ndim(pred) == 3


def _cascade_repair(pred: np.ndarray, replace: np.ndarray) -> np.ndarray:
    """Replace rows by the previous kept row (cascading), vectorised.

    Row ``i`` with ``replace[i]`` takes the last row ``j < i`` without it;
    frame 0 of every sequence must have ``replace == False`` so that the
    repair never crosses a sequence boundary.
    """
    if not replace.any():
        return pred
    src = np.where(replace, 0, np.arange(len(pred)))
    np.maximum.accumulate(src, out=src)
    return pred[src]


def _seq_in_error(frames: _Frames, mask: np.ndarray) -> str:
    """``"'name' frames [...]"`` for the first sequence hit by ``mask``."""
    idx = np.flatnonzero(mask)
    s = frames.seg[idx[0]]
    start = np.flatnonzero(frames.seg == s)[0]
    local = idx[frames.seg[idx] == s] - start
    return f'sequence {frames.names[s]!r}: frames [{_frames_str(local)}]'


# ---------------------------------------------------------------------------
# flavour: pytracking / STARK-OSTrack


def _prepare_pytracking(name, seq, pred, gt, opts):
    bad = np.isnan(pred).any(1) | (pred[:, 2:] < 0).any(1)
    if bad.any():
        raise ValueError(
            f'sequence {name!r}: invalid predictions (NaN or negative w/h) '
            f'in frames [{_frames_str(np.nonzero(bad)[0])}]; the OPE '
            'toolkits (pytracking/OSTrack) refuse to evaluate them')
    dataset = opts['dataset']
    gt_nan = np.isnan(gt).any(1)
    if gt_nan.any() and dataset != 'uav':
        raise ValueError(
            f'sequence {name!r}: NaN in the GT of frames '
            f'[{_frames_str(np.nonzero(gt_nan)[0])}] (allowed only with '
            "dataset='uav')")
    tv = seq.get('target_visible')
    if dataset is None:
        lasot = tv is not None
    else:
        lasot = dataset == 'lasot'
    visible = as_flags(tv, name, 'target_visible', len(gt),
                       True).astype(bool)
    n_gt, n_pred = len(gt), len(pred)
    padded = np.zeros(n_gt, bool)
    if n_pred > n_gt:
        pred = pred[:n_gt]
    elif n_pred < n_gt:
        if lasot:
            raise ValueError(
                f'sequence {name!r}: {n_pred} predictions for {n_gt} GT '
                'frames (LaSOT mode refuses to pad)')
        pred = np.concatenate([pred, np.zeros((n_gt - n_pred, 4))])
        padded[n_pred:] = True
    return pred, dict(visible=visible, padded=padded,
                      lasot=np.full(n_gt, lasot))


def _errors_pytracking(f: _Frames, opts, flavour: str) -> OPEFrameErrors:
    pred, gt = f.pred, f.gt
    gt_nan = np.isnan(gt).any(1)
    zero = (pred[:, 2:] == 0).any(1)
    pred = _cascade_repair(pred, zero & ~gt_nan & ~f.first
                           & ~f.flags['padded'])
    pred = pred.copy() if pred is f.pred else pred
    pred[f.first] = gt[f.first]
    with np.errstate(invalid='ignore'):
        if flavour == 'pytracking':
            valid = (gt > 0).all(1)
        else:
            valid = (gt[:, 2:] > 0).all(1)
    visible = f.flags['visible']
    valid &= visible
    overlap = iou_pixel(pred, gt)
    center = center_error(pred, gt)
    center_norm = normalized_center_error(pred, gt)
    overlap[~valid] = -1.0
    center[~valid] = -1.0 if opts['dataset'] == 'uav' else np.inf
    center_norm[~valid] = -1.0
    hidden = f.flags['lasot'] & ~visible
    center[hidden] = np.inf
    center_norm[hidden] = np.inf
    nan = np.isnan(overlap)
    if nan.any():
        raise ValueError(f'NaN overlap in {_seq_in_error(f, nan)}')
    return OPEFrameErrors(overlap, center, center_norm, valid,
                          np.ones(len(gt), bool))


def _denominators_pytracking(f: _Frames, err: OPEFrameErrors, opts):
    if opts['exclude_invalid_frames']:
        den = np.bincount(f.seg[err.valid], minlength=len(f.names))
    else:
        den = f.n_gt
    zero = np.flatnonzero(den <= 0)
    if len(zero):
        raise ValueError(f'sequence {f.names[zero[0]]!r}: no frame to '
                         'evaluate (sequence length zero)')
    return den.astype(np.float64)


# ---------------------------------------------------------------------------
# flavour: got10k ExperimentOTB / ExperimentUAV123


def _prepare_otb(name, seq, pred, gt, opts):
    if pred.shape != gt.shape:
        raise ValueError(
            f'sequence {name!r}: {len(pred)} predictions for {len(gt)} GT '
            'frames; the got10k OTB experiment needs one box per frame')
    if opts['drop_nan_gt']:
        counted = ~np.isnan(gt).any(1)
    else:
        counted = np.ones(len(gt), bool)
    return pred, dict(counted=counted)


def _errors_otb(f: _Frames, opts, flavour: str) -> OPEFrameErrors:
    pred = f.pred.copy()
    pred[f.first] = f.gt[f.first]
    counted = f.flags['counted']
    return OPEFrameErrors(iou_got10k(pred, f.gt), center_error(pred, f.gt),
                          normalized_center_error_got10k(pred, f.gt),
                          counted, counted)


def _denominators_counted(f: _Frames, err: OPEFrameErrors, opts):
    return np.bincount(f.seg[err.counted],
                       minlength=len(f.names)).astype(np.float64)


# ---------------------------------------------------------------------------
# flavour: LaSOT MATLAB toolkit


def _prepare_lasot_matlab(name, seq, pred, gt, opts):
    n_gt = len(gt)
    empty = len(pred) == 0
    if empty:
        pred = np.zeros_like(gt)
    elif len(pred) < n_gt:
        raise ValueError(
            f'sequence {name!r}: {len(pred)} predictions for {n_gt} GT '
            'frames (the LaSOT toolkit fails on short results)')
    else:
        pred = pred[:n_gt]
    if seq.get('absent') is not None:
        absent = as_flags(seq['absent'], name, 'absent', n_gt, 0) == 1
    else:
        absent = ~as_flags(seq.get('target_visible'), name,
                           'target_visible', n_gt, True).astype(bool)
    return pred, dict(counted=~absent & (not empty))


def _errors_lasot_matlab(f: _Frames, opts, flavour: str) -> OPEFrameErrors:
    pred, gt = f.pred, f.gt
    gt_nan = np.isnan(gt).any(1)
    with np.errstate(invalid='ignore'):
        bad = np.isnan(pred).any(1) | (pred[:, 2] <= 0) | (pred[:, 3] <= 0)
        valid = (gt > 0).all(1)
    pred = _cascade_repair(pred, bad & ~gt_nan & ~f.first)
    pred = pred.copy() if pred is f.pred else pred
    pred[f.first] = gt[f.first]
    overlap = np.where(valid, iou_rect_int(pred, gt), -1.0)
    center = center_error(pred, gt)
    center_norm = normalized_center_error(pred, gt)
    center[~valid] = -1.0
    center_norm[~valid] = -1.0
    return OPEFrameErrors(overlap, center, center_norm, valid,
                          f.flags['counted'])


def _denominators_lasot_matlab(f: _Frames, err: OPEFrameErrors, opts):
    return f.n_gt + _MATLAB_EPS


# ---------------------------------------------------------------------------
# flavour: TrackingNet server


def _prepare_trackingnet(name, seq, pred, gt, opts):
    n_gt = len(gt)
    if len(pred) >= n_gt:
        pred = pred[:n_gt]
    else:
        pred = np.concatenate([pred, np.full((n_gt - len(pred), 4), np.nan)])
    return pred, {}


def _errors_trackingnet(f: _Frames, opts, flavour: str) -> OPEFrameErrors:
    pred = f.pred.copy()
    pred[f.first] = f.gt[f.first]
    iou, dist, ndist = trackingnet_box_errors(pred, f.gt)
    ones = np.ones(len(pred), bool)
    return OPEFrameErrors(iou, dist, ndist, ones, ones)


def _denominators_gt(f: _Frames, err: OPEFrameErrors, opts):
    return f.n_gt.astype(np.float64)


def _extra_trackingnet(f: _Frames, err: OPEFrameErrors, opts):
    p = np.round(f.pred)
    p[f.first] = np.round(f.gt[f.first])
    with np.errstate(invalid='ignore'):
        ok = (p[:, 3] + p[:, 2] + p[:, 0] + p[:, 1]) > 0
    per_seq = np.bincount(f.seg, weights=ok, minlength=len(f.names))
    per_seq = per_seq / np.maximum(f.n_gt, 1)
    overall = float(ok.mean()) if len(ok) else float('nan')
    return {'coverage': overall}, {'coverage': per_seq}


# ---------------------------------------------------------------------------
# flavour table


@dataclass(frozen=True)
class _Flavour:
    prepare: Callable
    errors: Callable
    denominators: Callable
    overlap_thresholds: np.ndarray
    center_thresholds: np.ndarray
    norm_thresholds: np.ndarray
    options: Mapping
    overlap_inclusive: bool = False  # iou >= t instead of iou > t
    trapz: bool = False  # scores are trapezoid areas (TrackingNet)
    drop_zero_curves: bool = False  # LaSOT MATLAB plot_draw_save
    extra: Optional[Callable] = None
    p_index: int = 20  # precision at 20 px / 0.20


_PYTRACKING_OPTIONS = dict(dataset=None, exclude_invalid_frames=False)

_FLAVOURS: Dict[str, _Flavour] = {
    'ostrack':
    _Flavour(_prepare_pytracking, _errors_pytracking,
             _denominators_pytracking, OVERLAP_THRESHOLDS, CENTER_THRESHOLDS,
             NORM_CENTER_THRESHOLDS, _PYTRACKING_OPTIONS),
    'pytracking':
    _Flavour(_prepare_pytracking, _errors_pytracking,
             _denominators_pytracking, OVERLAP_THRESHOLDS, CENTER_THRESHOLDS,
             NORM_CENTER_THRESHOLDS, _PYTRACKING_OPTIONS),
    'otb':
    _Flavour(_prepare_otb, _errors_otb, _denominators_counted, _LINSPACE_21,
             CENTER_THRESHOLDS, _GOT10K_NORM, dict(drop_nan_gt=False)),
    'lasot_matlab':
    _Flavour(_prepare_lasot_matlab, _errors_lasot_matlab,
             _denominators_lasot_matlab, _MATLAB_OVERLAP, CENTER_THRESHOLDS,
             NORM_CENTER_THRESHOLDS, dict(threshold_grid='matlab'),
             drop_zero_curves=True),
    'trackingnet':
    _Flavour(_prepare_trackingnet, _errors_trackingnet, _denominators_gt,
             _LINSPACE_21, _TN_CENTER, _TN_NORM, {}, overlap_inclusive=True,
             trapz=True, extra=_extra_trackingnet),
}

#: Names accepted by ``flavour=``.
OPE_FLAVOURS = tuple(_FLAVOURS)


def _resolve(flavour: str, options: Mapping):
    if flavour not in _FLAVOURS:
        raise ValueError(f'unknown OPE flavour {flavour!r}; one of '
                         f'{OPE_FLAVOURS}')
    spec = _FLAVOURS[flavour]
    unknown = set(options) - set(spec.options)
    if unknown:
        raise TypeError(
            f'OPE flavour {flavour!r} takes no option(s) {sorted(unknown)}; '
            f'its options: {sorted(spec.options) or "none"}')
    opts = dict(spec.options)
    opts.update(options)
    overlap_thr = spec.overlap_thresholds
    if flavour == 'lasot_matlab':
        grid = opts['threshold_grid']
        if grid not in ('matlab', 'octave'):
            raise ValueError("threshold_grid must be 'matlab' or 'octave', "
                             f'got {grid!r}')
        overlap_thr = _MATLAB_OVERLAP if grid == 'matlab' else \
            _OCTAVE_OVERLAP
    if flavour in ('ostrack', 'pytracking') and not (
            opts['dataset'] is None or isinstance(opts['dataset'], str)):
        raise TypeError('dataset must be None or a dataset name string, '
                        f"got {opts['dataset']!r}")
    return spec, opts, overlap_thr


def _collect(sequences: Mapping[str, Mapping], spec: _Flavour,
             opts) -> _Frames:
    check_sequences(sequences)
    names = list(sequences)
    preds, gts, n_gt = [], [], np.zeros(len(names), np.int64)
    flags: Dict[str, list] = {}
    for s, name in enumerate(names):
        seq = sequences[name]
        if _is_multi_run(seq.get('pred')):
            raise ValueError(f'sequence {name!r}: OPE protocols take one run '
                             '(N, 4); evaluate repetitions separately')
        pred = as_boxes(seq.get('pred'), name, 'pred')
        gt = as_boxes(seq.get('gt'), name, 'gt')
        if len(gt) == 0:
            raise ValueError(f'sequence {name!r}: no frame to evaluate '
                             '(sequence length zero)')
        pred, seq_flags = spec.prepare(name, seq, pred, gt, opts)
        preds.append(pred)
        gts.append(gt)
        n_gt[s] = len(gt)
        for k, v in seq_flags.items():
            flags.setdefault(k, []).append(v)
    if names:
        pred = np.concatenate(preds)
        gt = np.concatenate(gts)
        flags = {k: np.concatenate(v) for k, v in flags.items()}
    else:
        pred = gt = np.zeros((0, 4))
        flags = {}
    seg = np.repeat(np.arange(len(names)), n_gt)
    first = np.zeros(len(gt), bool)
    first[np.cumsum(n_gt) - n_gt] = True
    return _Frames(names, pred, gt, seg, first, n_gt, flags)


def _trapz(curve: np.ndarray, x: np.ndarray) -> float:
    """``np.trapz(curve, x=x)`` (removed in numpy 2), same arithmetic."""
    d = np.diff(x)
    return float(np.add.reduce(d * (curve[1:] + curve[:-1]) / 2.0))


def _scores(spec: _Flavour, succ, prec, nprec) -> dict:
    if spec.trapz:
        x = _LINSPACE_21
        auc, p, pn = _trapz(succ, x), _trapz(prec, x), _trapz(nprec, x)
    else:
        auc = float(np.mean(succ))
        p = float(prec[spec.p_index])
        pn = float(nprec[spec.p_index])
    return {
        'AUC': auc,
        'P': p,
        'P_norm': pn,
        'OP50': float(succ[10]),
        'OP75': float(succ[15]),
    }


def _sequence_mean(curves: np.ndarray, drop_zero: bool):
    """Mean over sequences; LaSOT MATLAB first drops all-zero curves."""
    if drop_zero:
        keep = curves.sum(1) > _MATLAB_EPS
        curves = curves[keep]
    else:
        keep = np.ones(len(curves), bool)
    if len(curves) == 0:
        return np.full(curves.shape[1], np.nan), keep
    return curves.mean(0), keep


def _frame_errors(sequences, flavour, options):
    spec, opts, overlap_thr = _resolve(flavour, options)
    frames = _collect(sequences, spec, opts)
    return spec, opts, overlap_thr, frames, spec.errors(frames, opts,
                                                        flavour)


def ope_sequence_errors(pred: np.ndarray,
                        gt: np.ndarray,
                        flavour: str = 'ostrack',
                        name: str = '?',
                        **seq_and_options) -> OPEFrameErrors:
    """Per-frame errors of one sequence under an OPE flavour.

    Args:
        pred, gt: ``(N, 4)`` xywh.
        flavour: see :data:`OPE_FLAVOURS` and the module docstring.
        name: sequence name used in error messages.
        **seq_and_options: per-frame flags of the sequence
            (``target_visible``, ``absent``) and flavour options.

    Returns:
        :class:`OPEFrameErrors` with one entry per GT frame.
    """
    seq = dict(pred=pred, gt=gt)
    for key in ('target_visible', 'absent'):
        if key in seq_and_options:
            seq[key] = seq_and_options.pop(key)
    return _frame_errors({name: seq}, flavour, seq_and_options)[-1]


def evaluate_ope(sequences: Mapping[str, Mapping],
                 flavour: str = 'ostrack',
                 **options) -> dict:
    """OPE success / precision of ``{name: {'pred', 'gt', ...}}`` (xywh).

    Args:
        sequences: see :mod:`.protocols`; optional per-sequence
            ``target_visible`` (pytracking flavours; ``lasot_matlab`` uses
            it when ``absent`` is missing) and ``absent`` (``lasot_matlab``).
            ``otb`` and ``trackingnet`` read no flags (their toolkits don't).
        flavour: ``'ostrack'``, ``'pytracking'``, ``'otb'``,
            ``'lasot_matlab'`` or ``'trackingnet'`` (module docstring).
        **options: flavour options: ``dataset``, ``exclude_invalid_frames``
            (pytracking flavours), ``drop_nan_gt`` (``otb``),
            ``threshold_grid`` (``lasot_matlab``). Others raise TypeError.

    Returns:
        ``{'overall': {'AUC', 'P', 'P_norm', 'OP50', 'OP75',
        'num_sequences'[, 'coverage']}, 'per_sequence': {name: {... same
        ..., 'mean_iou' (mean overlap of the valid counted frames, NaN as
        0; pytracking's ``avg_overlap_all``), 'num_frames' (the curve
        denominator), 'num_valid'}}, 'curves': {'success', 'precision',
        'norm_precision' (sequence means), their thresholds, and
        'sequences_averaged': {curve: names} (all sequences, except those
        ``lasot_matlab`` drops)}}``.
    """
    spec, opts, overlap_thr, f, err = _frame_errors(sequences, flavour,
                                                    options)
    names = f.names
    n_seq = len(names)
    den = spec.denominators(f, err, opts)
    c = err.counted
    seg = f.seg[c]
    succ = segment_counts_above(err.overlap[c], seg, n_seq, overlap_thr,
                                inclusive=spec.overlap_inclusive)
    prec = segment_counts_at_most(err.center[c], seg, n_seq,
                                  spec.center_thresholds)
    nprec = segment_counts_at_most(err.center_norm[c], seg, n_seq,
                                   spec.norm_thresholds)
    with np.errstate(invalid='ignore', divide='ignore'):
        succ = succ / den[:, None]
        prec = prec / den[:, None]
        nprec = nprec / den[:, None]
        vc = err.valid & c
        n_valid = np.bincount(f.seg[vc], minlength=n_seq)
        ov = err.overlap[vc]
        iou_sum = np.bincount(
            f.seg[vc], weights=np.where(np.isnan(ov), 0.0, ov),
            minlength=n_seq)
        mean_iou = iou_sum / n_valid

    extra_all, extra_seq = ({}, {})
    if spec.extra is not None:
        extra_all, extra_seq = spec.extra(f, err, opts)

    per_sequence = {}
    for s, name in enumerate(names):
        d = _scores(spec, succ[s], prec[s], nprec[s])
        d.update(mean_iou=float(mean_iou[s]),
                 num_frames=int(np.rint(den[s])),
                 num_valid=int(n_valid[s]))
        for k, v in extra_seq.items():
            d[k] = float(v[s])
        per_sequence[name] = d

    s_mean, s_keep = _sequence_mean(succ, spec.drop_zero_curves)
    p_mean, p_keep = _sequence_mean(prec, spec.drop_zero_curves)
    n_mean, n_keep = _sequence_mean(nprec, spec.drop_zero_curves)
    if n_seq:
        overall = _scores(spec, s_mean, p_mean, n_mean)
    else:
        overall = {k: float('nan') for k in OPE_KEYS}
    overall['num_sequences'] = n_seq
    overall.update(extra_all)
    return {
        'overall': overall,
        'per_sequence': per_sequence,
        'curves': {
            'success': s_mean,
            'precision': p_mean,
            'norm_precision': n_mean,
            'overlap_thresholds': np.array(overlap_thr),
            'center_thresholds': np.array(spec.center_thresholds),
            'norm_center_thresholds': np.array(spec.norm_thresholds),
            'sequences_averaged': {
                'success': [n for n, k in zip(names, s_keep) if k],
                'precision': [n for n, k in zip(names, p_keep) if k],
                'norm_precision': [n for n, k in zip(names, n_keep) if k],
            },
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
register_protocol(
    'uav',
    OPE_KEYS,
    description="UAV123 as pytracking/OSTrack (dataset 'uav'): NaN GT rows "
    'are overlap failures but precision hits, denominator all frames',
    flavour='ostrack',
    dataset='uav')(evaluate_ope)
register_protocol(
    'otb',
    OPE_KEYS,
    description='got10k toolkit ExperimentOTB: frame 0 = GT, continuous '
    'clipped IoU, no validity test, 21-bin AUC, P@20px',
    flavour='otb')(evaluate_ope)
register_protocol(
    'lasot_matlab',
    OPE_KEYS,
    description='LaSOT MATLAB toolkit: repair of invalid predictions, '
    'absent frames removed but counted, all-zero sequences dropped',
    flavour='lasot_matlab')(evaluate_ope)
register_protocol(
    'trackingnet',
    OPE_KEYS,
    description='TrackingNet server metrics.py: rounded boxes, IoU >= t, '
    'trapezoid areas of success / precision (0-50 px) / norm. precision',
    flavour='trackingnet')(evaluate_ope)
