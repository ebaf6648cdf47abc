"""Reading and writing per-sequence tracking results.

Layouts:

- ``'got10k'``: ``{root}/{seq}/{seq}_{rep:03d}.txt`` (repetition 1 is
  ``_001``) and ``{root}/{seq}/{seq}_time.txt``; comma separated, the format
  the GOT-10k server and toolkit read;
- ``'pytracking'``: ``{root}/{seq}.txt`` and ``{root}/{seq}_time.txt``
  (pytracking / STARK / OSTrack, LaSOT and most OPE benchmarks).

Beside the boxes: the per-frame confidence in [0, 1], one value a line, in
``{root}/{seq}/{seq}_001_confidence.value`` (got10k layout; the VOT
long-term convention) or ``{root}/{seq}_confidence.value`` (pytracking),
and, for trackers with an absence threshold, the reported absence (1 where
the tracker says the target is not there, else 0) in
``{seq}_001_absence.label`` / ``{seq}_absence.label`` (GOT-10k's name for
the ground-truth flags).

Benchmark names are accepted as layout names (:data:`LAYOUT_ALIASES`):
``'lasot'``, ``'otb'``, ``'uav'``, ``'nfs'``, ``'tnl2k'`` and
``'trackingnet'`` are the pytracking layout (the TrackingNet server reads
``{seq}.txt`` too).

Boxes are ``x,y,w,h`` (left, top, width, height) pixels, one frame per line,
written comma separated with :data:`BOX_DECIMALS` decimals (times with
:data:`TIME_DECIMALS`); :func:`as_written` gives the values a reader gets
back. Files are written atomically (a temporary file renamed into place), so
an interrupted run never leaves a truncated file under the final name.
Reading accepts comma, tab or whitespace separators (mixed too) and reports
the file and line of malformed input.
"""
import glob
import os
import os.path as osp
import re
import tempfile
from typing import List, Optional, Sequence, Union

import numpy as np

__all__ = [
    'LAYOUTS', 'LAYOUT_ALIASES', 'BOX_DECIMALS', 'TIME_DECIMALS',
    'canonical_layout', 'as_written', 'result_path', 'time_path',
    'write_results', 'read_results', 'write_times', 'read_times',
    'write_sequence_results', 'read_sequence_results',
    'read_got10k_repetitions', 'is_complete_result', 'confidence_path',
    'absence_path', 'write_confidences', 'read_confidences',
    'write_absence', 'read_absence', 'SCORE_DECIMALS'
]

LAYOUTS = ('got10k', 'pytracking')
#: layout name -> one of :data:`LAYOUTS`
LAYOUT_ALIASES = {
    'got10k': 'got10k',
    'pytracking': 'pytracking',
    'lasot': 'pytracking',
    'otb': 'pytracking',
    'uav': 'pytracking',
    'nfs': 'pytracking',
    'tnl2k': 'pytracking',
    'trackingnet': 'pytracking',
}
#: decimals of written boxes and per-frame times
BOX_DECIMALS = 4
TIME_DECIMALS = 6
#: decimals of written confidences
SCORE_DECIMALS = 6
_SPLIT = re.compile(r'[,\s]+')


def canonical_layout(layout: str) -> str:
    """``'got10k'`` or ``'pytracking'`` for a layout name or alias."""
    try:
        return LAYOUT_ALIASES[layout]
    except (KeyError, TypeError):
        raise ValueError(f'unknown results layout {layout!r}; one of '
                         f'{sorted(LAYOUT_ALIASES)}') from None


def _check_layout(layout: str) -> str:
    return canonical_layout(layout)


def as_written(values, decimals: int = BOX_DECIMALS) -> np.ndarray:
    """The float64 values a reader parses back from ``'%.{decimals}f'``.

    Equal to ``float('%.4f' % v)`` element-wise (NaN and inf kept), computed
    with ``np.round`` and, for the few values within rounding error of a
    tie, with Python's formatting, so that metrics computed on it equal those
    of the written files exactly.
    """
    v = np.asarray(values, dtype=np.float64)
    out = np.round(v, decimals)
    scaled = v * 10.0**decimals
    with np.errstate(invalid='ignore'):
        near_tie = np.abs(np.abs(scaled - np.floor(scaled)) - 0.5) < 1e-6
    near_tie &= np.isfinite(v)
    if near_tie.any():
        fmt = f'%.{decimals}f'
        out[near_tie] = [float(fmt % x) for x in v[near_tie]]
    return out


def _atomic_savetxt(path: str, array: np.ndarray, fmt: str,
                    delimiter: str = ' ') -> str:
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=folder, prefix=f'.{osp.basename(path)}.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'w') as f:
            np.savetxt(f, array, fmt=fmt, delimiter=delimiter)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    return path


def result_path(root: str, seq: str, layout: str = 'got10k',
                rep: int = 1) -> str:
    """Path of the box file of sequence ``seq`` (``rep``: got10k only)."""
    if _check_layout(layout) == 'got10k':
        return osp.join(root, seq, f'{seq}_{rep:03d}.txt')
    return osp.join(root, f'{seq}.txt')


def time_path(root: str, seq: str, layout: str = 'got10k') -> str:
    """Path of the per-frame time file of sequence ``seq``."""
    if _check_layout(layout) == 'got10k':
        return osp.join(root, seq, f'{seq}_time.txt')
    return osp.join(root, f'{seq}_time.txt')


def confidence_path(root: str, seq: str, layout: str = 'got10k',
                    rep: int = 1) -> str:
    """Path of the per-frame confidence file of ``seq``."""
    if _check_layout(layout) == 'got10k':
        return osp.join(root, seq, f'{seq}_{rep:03d}_confidence.value')
    return osp.join(root, f'{seq}_confidence.value')


def absence_path(root: str, seq: str, layout: str = 'got10k',
                 rep: int = 1) -> str:
    """Path of the per-frame reported-absence file of ``seq``."""
    if _check_layout(layout) == 'got10k':
        return osp.join(root, seq, f'{seq}_{rep:03d}_absence.label')
    return osp.join(root, f'{seq}_absence.label')


def _parse(path: str, ncols: Optional[int]) -> np.ndarray:
    if not osp.isfile(path):
        raise FileNotFoundError(f'results file not found: {path}')
    rows = []
    with open(path, 'r') as f:
        for lineno, line in enumerate(f, 1):
            text = line.strip()
            if not text:
                continue
            parts = [p for p in _SPLIT.split(text) if p]
            if ncols is not None and len(parts) != ncols:
                raise ValueError(
                    f'{path}, line {lineno}: expected {ncols} values '
                    f'(x,y,w,h), got {len(parts)}: {text!r}')
            try:
                rows.append([float(p) for p in parts])
            except ValueError:
                raise ValueError(f'{path}, line {lineno}: not a number in '
                                 f'{text!r}') from None
    if ncols is None:
        for lineno, r in enumerate(rows, 1):
            if len(r) != 1:
                raise ValueError(f'{path}: expected one value per line, got '
                                 f'{len(r)} in data line {lineno}')
        return np.asarray([r[0] for r in rows], dtype=np.float64)
    return np.asarray(rows, dtype=np.float64).reshape(-1, ncols)


def read_results(path: str) -> np.ndarray:
    """Read one box file into a float64 ``(N, 4)`` ``xywh`` array.

    Empty lines are skipped; ``nan`` is accepted. Raises ``ValueError``
    naming the file and line on a malformed line, ``FileNotFoundError`` if
    the file is missing.
    """
    return _parse(path, 4)


def read_times(path: str) -> np.ndarray:
    """Read a per-frame time file (one value per line) as float64 ``(N,)``."""
    return _parse(path, None)


def write_results(path: str,
                  boxes: Union[np.ndarray, Sequence],
                  delimiter: str = ',',
                  fmt: str = f'%.{BOX_DECIMALS}f') -> str:
    """Write ``(N, 4)`` ``xywh`` boxes, one ``x,y,w,h`` line per frame.

    Parent folders are created; the file appears complete or not at all.
    Returns ``path``.
    """
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f'{path}: boxes must have shape (N, 4), got '
                         f'{boxes.shape}')
    return _atomic_savetxt(path, boxes, fmt, delimiter)


def write_times(path: str, times: Union[np.ndarray, Sequence],
                fmt: str = f'%.{TIME_DECIMALS}f') -> str:
    """Write per-frame times in seconds, one per line (atomically).
    Returns ``path``."""
    times = np.asarray(times, dtype=np.float64).reshape(-1)
    return _atomic_savetxt(path, times, fmt)


def write_confidences(path: str, scores: Union[np.ndarray, Sequence],
                      fmt: str = f'%.{SCORE_DECIMALS}f') -> str:
    """Write per-frame confidences, one per line (atomically). Returns
    ``path``."""
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    return _atomic_savetxt(path, scores, fmt)


def read_confidences(path: str) -> np.ndarray:
    """Read a per-frame confidence file as float64 ``(N,)``."""
    return _parse(path, None)


def write_absence(path: str, absent: Union[np.ndarray, Sequence]) -> str:
    """Write per-frame reported absence (0 / 1), one per line (atomically).
    Returns ``path``."""
    absent = np.asarray(absent).reshape(-1).astype(np.int64)
    if absent.size and not np.isin(absent, (0, 1)).all():
        raise ValueError(f'{path}: absence flags must be 0 or 1')
    return _atomic_savetxt(path, absent, '%d')


def read_absence(path: str) -> np.ndarray:
    """Read a per-frame absence file as an int64 ``(N,)`` array of 0 / 1."""
    values = _parse(path, None)
    if values.size and not np.isin(values, (0, 1)).all():
        bad = int(np.flatnonzero(~np.isin(values, (0, 1)))[0])
        raise ValueError(f'{path}: absence flags must be 0 or 1, got '
                         f'{values[bad]} in data line {bad + 1}')
    return values.astype(np.int64)


def write_sequence_results(root: str,
                           seq: str,
                           boxes: np.ndarray,
                           times: Optional[np.ndarray] = None,
                           layout: str = 'got10k',
                           rep: int = 1,
                           scores: Optional[np.ndarray] = None,
                           absent: Optional[np.ndarray] = None) -> List[str]:
    """Write the box file of one sequence in ``layout``, and the time,
    confidence and absence files of the arrays given. Returns the written
    paths."""
    n = len(boxes)
    for key, values in (('times', times), ('scores', scores),
                        ('absent', absent)):
        if values is not None and np.size(values) != n:
            raise ValueError(f'sequence {seq!r}: {np.size(values)} {key} '
                             f'for {n} boxes')
    paths = [write_results(result_path(root, seq, layout, rep), boxes)]
    if times is not None:
        paths.append(write_times(time_path(root, seq, layout), times))
    if scores is not None:
        paths.append(write_confidences(
            confidence_path(root, seq, layout, rep), scores))
    if absent is not None:
        paths.append(write_absence(absence_path(root, seq, layout, rep),
                                   absent))
    return paths


def read_sequence_results(root: str,
                          seq: str,
                          layout: str = 'got10k',
                          rep: int = 1) -> np.ndarray:
    """Read the ``(N, 4)`` boxes of one sequence written in ``layout``."""
    return read_results(result_path(root, seq, layout, rep))


def read_got10k_repetitions(root: str, seq: str) -> List[np.ndarray]:
    """All repetitions ``{root}/{seq}/{seq}_[0-9]*.txt`` of a sequence, in
    repetition order (the got10k toolkit pools them)."""
    files = glob.glob(osp.join(glob.escape(root), glob.escape(seq),
                               f'{glob.escape(seq)}_[0-9]*.txt'))
    files = [f for f in files
             if re.fullmatch(r'\d+', osp.basename(f)[len(seq) + 1:-4])]
    if not files:
        raise FileNotFoundError(
            f'no results for sequence {seq!r} under {osp.join(root, seq)}')
    files.sort(key=lambda f: int(osp.basename(f)[len(seq) + 1:-4]))
    return [read_results(f) for f in files]


def is_complete_result(root: str, seq: str, num_frames: int,
                       layout: str = 'got10k') -> bool:
    """Whether ``seq`` has a finished box file in ``root``: it exists,
    parses (4 numbers a line) and has ``num_frames`` rows (repetition 1 in
    the GOT-10k layout)."""
    path = result_path(root, seq, layout)
    if not osp.isfile(path):
        return False
    try:
        return len(read_results(path)) == int(num_frames)
    except (ValueError, OSError):
        return False
