"""Result files of the VOT multistart (anchor-based) experiment.

Layout (vot-toolkit 0.9.0, ``results/<tracker>/baseline`` is ``root``)::

    {root}/{seq}/{seq}_{anchor:08d}.txt        one region per fragment frame
    {root}/{seq}/{seq}_{anchor:08d}_time.value seconds per frame (optional)

``anchor`` is the 0-based frame of the anchor. The first line of a fragment
is ``1`` (initialisation), then one region per frame in fragment order
(backward fragments run ``anchor, anchor-1, ..., 0``): ``x,y,w,h``, a
polygon, an RLE mask ``m<x0>,<y0>,<w>,<h>,<rle>`` or ``0`` (unknown); see
:mod:`mmtrack_ext.structures.regions`. The toolkit itself writes
``{seq}_{anchor:08d}.bin`` (binary) by default; both are read, the text file
first when both exist (as the toolkit).

:func:`load_vot_results` turns a results folder and a
:class:`~mmtrack_ext.datasets.VOT2020Dataset` into the input of the
``vot2020`` protocol (:func:`~mmtrack_ext.evaluation.functional.vot.
evaluate_vot2020`).
"""
import os.path as osp
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

import numpy as np

from mmtrack_ext.structures.regions import (SPECIAL_INIT, Region, Special,
                                            as_region, read_regions,
                                            write_regions)
from .functional.vot import find_anchors

__all__ = [
    'vot_trajectory_path', 'vot_time_path', 'write_vot_trajectory',
    'read_vot_trajectory', 'read_vot_times', 'write_vot_sequence_results',
    'read_vot_sequence_results', 'fragment_regions_from_boxes',
    'load_vot_results'
]


def vot_trajectory_path(root: str, seq: str, anchor: int,
                        binary: bool = False) -> str:
    """``{root}/{seq}/{seq}_{anchor:08d}.txt`` (``.bin`` if ``binary``)."""
    ext = '.bin' if binary else '.txt'
    return osp.join(root, seq, f'{seq}_{int(anchor):08d}{ext}')


def vot_time_path(root: str, seq: str, anchor: int) -> str:
    """``{root}/{seq}/{seq}_{anchor:08d}_time.value``."""
    return osp.join(root, seq, f'{seq}_{int(anchor):08d}_time.value')


def fragment_regions_from_boxes(boxes) -> List[Region]:
    """Regions of one fragment from ``(L, 4)`` ``xywh`` boxes of a box
    tracker: row 0 (the initialisation) becomes the code ``1``, NaN rows the
    code ``0`` (unknown), as the toolkit records them."""
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 4 or len(boxes) == 0:
        raise ValueError(f'boxes must have shape (L, 4) with L >= 1, got '
                         f'{boxes.shape}')
    return [Special(SPECIAL_INIT)] + [as_region(b) for b in boxes[1:]]


def write_vot_trajectory(root: str,
                         seq: str,
                         anchor: int,
                         regions: Sequence,
                         times: Optional[Sequence[float]] = None,
                         binary: bool = False) -> List[str]:
    """Write one fragment (and its per-frame times). Returns the paths."""
    regions = list(regions)
    path = write_regions(
        vot_trajectory_path(root, seq, anchor, binary), regions, binary)
    paths = [path]
    if times is not None:
        times = np.asarray(times, dtype=np.float64).reshape(-1)
        if len(times) != len(regions):
            raise ValueError(f'{len(times)} times for {len(regions)} regions '
                             f'of {seq!r}, anchor {anchor}')
        tpath = vot_time_path(root, seq, anchor)
        with open(tpath, 'w') as f:
            f.write(''.join(f'{t!r}\n' for t in times.tolist()))
        paths.append(tpath)
    return paths


def read_vot_trajectory(root: str, seq: str, anchor: int) -> List[Region]:
    """Regions of one fragment (text file first, then binary).

    Raises:
        FileNotFoundError: neither file exists (both paths are named).
        ValueError: a malformed line (file and line named).
    """
    txt = vot_trajectory_path(root, seq, anchor)
    if osp.isfile(txt):
        return read_regions(txt)
    binary = vot_trajectory_path(root, seq, anchor, binary=True)
    if osp.isfile(binary):
        return read_regions(binary)
    raise FileNotFoundError(f'no result for sequence {seq!r}, anchor '
                            f'{anchor}: neither {txt} nor {binary} exists')


def read_vot_times(root: str, seq: str, anchor: int) -> Optional[np.ndarray]:
    """Per-frame times of a fragment (``None`` if the file is absent); blank
    lines are NaN (the toolkit writes nothing for frames without a time)."""
    path = vot_time_path(root, seq, anchor)
    if not osp.isfile(path):
        return None
    out = []
    with open(path) as f:
        for ln, line in enumerate(f.read().splitlines(), 1):
            text = line.strip()
            try:
                out.append(float(text) if text else float('nan'))
            except ValueError:
                raise ValueError(f'{path}, line {ln}: not a number: '
                                 f'{text!r}') from None
    return np.asarray(out, dtype=np.float64)


def write_vot_sequence_results(root: str,
                               seq: str,
                               fragments: Mapping[int, Sequence],
                               times: Optional[Mapping[int,
                                                       Sequence]] = None,
                               binary: bool = False) -> List[str]:
    """Write all fragments ``{anchor: regions}`` of a sequence."""
    paths = []
    for anchor, regions in fragments.items():
        t = None if times is None else times.get(anchor)
        paths += write_vot_trajectory(root, seq, anchor, regions, t, binary)
    return paths


def read_vot_sequence_results(root: str, seq: str,
                              anchors: Iterable[int]) -> Dict[int,
                                                              List[Region]]:
    """Fragments ``{anchor: regions}`` of a sequence for the given anchor
    frames."""
    return {int(a): read_vot_trajectory(root, seq, int(a)) for a in anchors}


def load_vot_results(root: str,
                     dataset,
                     video_indices: Optional[Iterable[int]] = None
                     ) -> Dict[str, dict]:
    """The ``vot2020`` protocol input for results stored under ``root``.

    Args:
        root: the experiment's results folder (``results/<tracker>/
            baseline``).
        dataset: a :class:`~mmtrack_ext.datasets.VOT2020Dataset` (anything
            with ``num_videos`` and ``get_vot_sequence(video_idx)``).
        video_indices: evaluate only these videos (default: all).

    Returns:
        ``{name: {'gt', 'anchors', 'resolution', 'pred'}}``.

    Raises:
        FileNotFoundError: a fragment is missing (sequence and anchor
            named).
    """
    if video_indices is None:
        video_indices = range(dataset.num_videos)
    out = {}
    for idx in video_indices:
        name = dataset.get_video_name(idx)
        seq = dict(dataset.get_vot_sequence(idx))
        forward, backward = find_anchors(seq['anchors'])
        seq['pred'] = read_vot_sequence_results(root, name,
                                                forward + backward)
        out[name] = seq
    return out
