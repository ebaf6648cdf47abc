"""Reading and writing per-sequence tracking results.

Layouts:

- ``'got10k'``: ``{root}/{seq}/{seq}_{rep:03d}.txt`` (repetition 1 is
  ``_001``) and ``{root}/{seq}/{seq}_time.txt``; comma separated, the format
  the GOT-10k server and toolkit read;
- ``'pytracking'``: ``{root}/{seq}.txt`` and ``{root}/{seq}_time.txt``
  (pytracking / STARK / OSTrack, LaSOT and most OPE benchmarks).

Boxes are ``x,y,w,h`` (left, top, width, height) pixels, one frame per line.
Reading accepts comma, tab or whitespace separators (mixed too) and reports
the file and line of malformed input.
"""
import glob
import os
import os.path as osp
import re
from typing import List, Optional, Sequence, Union

import numpy as np

__all__ = [
    'LAYOUTS', 'result_path', 'time_path', 'write_results', 'read_results',
    'write_times', 'read_times', 'write_sequence_results',
    'read_sequence_results', 'read_got10k_repetitions'
]

LAYOUTS = ('got10k', 'pytracking')
_SPLIT = re.compile(r'[,\s]+')


def _check_layout(layout: str) -> None:
    if layout not in LAYOUTS:
        raise ValueError(f'unknown results layout {layout!r}; one of '
                         f'{LAYOUTS}')


def result_path(root: str, seq: str, layout: str = 'got10k',
                rep: int = 1) -> str:
    """Path of the box file of sequence ``seq`` (``rep``: got10k only)."""
    _check_layout(layout)
    if layout == 'got10k':
        return osp.join(root, seq, f'{seq}_{rep:03d}.txt')
    return osp.join(root, f'{seq}.txt')


def time_path(root: str, seq: str, layout: str = 'got10k') -> str:
    """Path of the per-frame time file of sequence ``seq``."""
    _check_layout(layout)
    if layout == 'got10k':
        return osp.join(root, seq, f'{seq}_time.txt')
    return osp.join(root, f'{seq}_time.txt')


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
                  fmt: str = '%.4f') -> str:
    """Write ``(N, 4)`` ``xywh`` boxes, one ``x,y,w,h`` line per frame.

    Parent folders are created. Returns ``path``.
    """
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f'{path}: boxes must have shape (N, 4), got '
                         f'{boxes.shape}')
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    np.savetxt(path, boxes, fmt=fmt, delimiter=delimiter)
    return path


def write_times(path: str, times: Union[np.ndarray, Sequence],
                fmt: str = '%.6f') -> str:
    """Write per-frame times in seconds, one per line. Returns ``path``."""
    times = np.asarray(times, dtype=np.float64).reshape(-1)
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    np.savetxt(path, times, fmt=fmt)
    return path


def write_sequence_results(root: str,
                           seq: str,
                           boxes: np.ndarray,
                           times: Optional[np.ndarray] = None,
                           layout: str = 'got10k',
                           rep: int = 1) -> List[str]:
    """Write the box file (and the time file if ``times`` is given) of one
    sequence in ``layout``. Returns the written paths."""
    paths = [write_results(result_path(root, seq, layout, rep), boxes)]
    if times is not None:
        paths.append(write_times(time_path(root, seq, layout), times))
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
