"""VOT2020 short-term protocol: vot-toolkit 0.9.0 anchor-based "multistart".

Reproduces the toolkit's ``multistart_eao_score``, ``multistart_eao_curve``
and ``multistart_average_ar`` analyses of the VOT-ST2020 stack
(``evaluation.md`` section 2.6; the same analyses with the same numbers
score VOT-ST2021 and VOT-ST2022, and the ``realtime`` experiment, whose
results differ only in how the tracker was run).

Experiment. ``anchor.value`` holds one value per frame: ``> 0`` marks a
forward anchor, ``< 0`` a backward anchor (:func:`find_anchors`). From every
anchor ``a`` the tracker is initialised on the ground truth of ``a`` and run
to the end of the sequence (frames ``a, a+1, ..., N-1``) or, for a backward
anchor, to its start (``a, a-1, ..., 0``): a *fragment*
(:func:`fragment_frames`). Its result holds one region per fragment frame;
the first one is the special code ``1`` (initialisation), which the toolkit
writes whatever the tracker reports there.

Per fragment (``L`` frames, overlaps ``o_0 .. o_{L-1}`` by
:func:`~mmtrack_ext.structures.regions.region_overlaps` against the
ground truth, bounded by the image):

- **failure**: the first run of ``grace = 10`` consecutive frames with
  ``o_t <= threshold = 0.1`` on frames whose ground truth is not empty
  (:func:`~mmtrack_ext.structures.regions.region_is_empty`; an empty
  ground truth frame interrupts the run). The fragment is *tracked* up to
  ``progress = j + 1 - grace`` where ``j`` is the run's last frame (so
  ``progress`` is the run's first frame), else ``progress = L``. Frame 0
  always has ``o_0 = 0`` (code ``1`` against a non-empty ground truth), so
  it starts a run: a tracker lost from frame 1 on fails with
  ``progress = 0``;
- **accuracy / robustness of a sequence**: ``A_s = sum_frag sum_{t <
  progress} o_t / sum_frag progress`` (0 when nothing was tracked) and
  ``R_s = sum_frag progress / sum_frag L``; ``o_0`` **is included** in A;
- **overall A and R**: A is the mean of ``A_s`` weighted by ``sum_frag
  progress`` (so pooled over tracked frames), R the mean of ``R_s``
  weighted by the sequence length ``N`` (not by fragment frames);
- **EAO curve** (length ``high``): overlaps after a failure are set to 0;
  for ``1 <= j < high`` a fragment contributes ``mean(o_1 .. o_j)`` when
  ``j < L``, and, if it failed, ``sum(o_1 .. o_{L-1}) / (j - 1)`` when
  ``j >= L`` (the toolkit's divisor, one frame short since 2020); a
  fragment that never failed contributes nothing for ``j >= L``. Each
  curve point averages the contributions of all fragments of all
  sequences (pooled). ``curve[0] = 0``;
- **EAO** = ``mean(curve[low:high + 1])`` of a curve that has only ``high``
  points, i.e. the mean over sequence lengths ``low .. high - 1``. VOT-ST2020
  (and 2021, 2022): ``low = 115``, ``high = 755``, i.e. 640 points, frames
  115..754.

Input of :func:`evaluate_vot2020` (``{name: sequence dict}``):

- ``gt``: ``N`` ground-truth regions (:class:`~mmtrack_ext.structures.
  regions.Region` objects, VOT text lines, or an ``(N, 4)`` ``xywh``
  array);
- ``anchors``: ``(N,)`` anchor values (the content of ``anchor.value``).
  Without it the sequence has one forward anchor on frame 0 (as
  :class:`~mmtrack_ext.datasets.VOT2020Dataset` assumes for sequences
  without ``anchor.value``) and ``pred`` may be that fragment itself, so an
  OPE result ``{'gt': (N, 4), 'pred': (N, 4)}`` is scored as one run
  without restarts;
- ``resolution``: image size ``(W, H)`` (required while ``bounded``);
- ``pred``: ``{anchor_frame: regions}``, one list per anchor with one
  region per fragment frame in fragment order (element 0 = the anchor
  frame; for a backward anchor element ``t`` is frame ``a - t``), as the
  toolkit's ``{seq}_{anchor:08d}.txt`` files hold them
  (:mod:`mmtrack_ext.evaluation.vot_results` reads and writes them). An
  ``(L, 4)`` ``xywh`` array is accepted as rectangles (NaN rows: unknown);
  when both ``gt`` and a fragment are such arrays their overlaps are
  computed in closed form
  (:func:`~mmtrack_ext.structures.regions.box_overlaps`);
- ``ignore`` (optional): ``N`` regions whose pixels are left out of the
  overlaps (None entries allowed).

The ground truth is scored as the toolkit reads it from
``groundtruth.txt``
(:func:`~mmtrack_ext.structures.regions.as_read_from_text`: a mask one
pixel wide is empty); predictions are scored as given (the toolkit reads
1-px-wide masks as empty from text result files, but not from its binary
ones; :func:`~mmtrack_ext.structures.regions.read_regions` does the same).

Choices where the toolkit has no answer (documented, not toolkit facts):

- with ``init_as_special=True`` (default) the first region of every
  fragment is replaced by the code ``1``, as the toolkit writes it; set it
  to False to score result files exactly as given;
- missing ``anchors``: a single forward anchor on frame 0 (the toolkit
  refuses a sequence without anchors);
- the toolkit raises on a missing fragment or a length mismatch; so does
  this function (naming the sequence and anchor). Fragments for frames
  that are not anchors are ignored, as the toolkit never reads them;
- ``sum_s progress == 0`` over all sequences (every fragment failed at
  once) makes the toolkit divide by zero; here overall A is 0.
"""
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from mmtrack_ext.structures.regions import (SPECIAL_INIT, Region, Special,
                                            as_read_from_text, as_region,
                                            box_overlaps, region_is_empty,
                                            region_overlaps)
from .protocols import check_sequences, register_protocol

__all__ = [
    'VOT2020_KEYS', 'VOT2020_EAO_INTERVAL', 'find_anchors',
    'fragment_frames', 'fragment_progress', 'eao_curve', 'evaluate_vot2020'
]

VOT2020_KEYS = ('EAO', 'A', 'R')
#: ``(low, high)`` of the VOT-ST2020/2021/2022 stacks: EAO averages the
#: curve over sequence lengths ``low .. high - 1``.
VOT2020_EAO_INTERVAL = (115, 755)


def find_anchors(anchors: Sequence[float]) -> Tuple[List[int], List[int]]:
    """Forward (value > 0) and backward (value < 0) anchor frames, each in
    frame order (the toolkit's ``find_anchors``)."""
    values = np.asarray(anchors, dtype=np.float64).reshape(-1)
    return (np.flatnonzero(values > 0).tolist(),
            np.flatnonzero(values < 0).tolist())


def fragment_frames(num_frames: int, anchor: int,
                    backward: bool = False) -> np.ndarray:
    """Frame indices of the fragment started at ``anchor``:
    ``anchor .. N-1`` forward, ``anchor, anchor-1, .., 0`` backward."""
    if not 0 <= anchor < num_frames:
        raise ValueError(f'anchor {anchor} outside a sequence of '
                         f'{num_frames} frames')
    if backward:
        return np.arange(anchor, -1, -1)
    return np.arange(anchor, num_frames)


def fragment_progress(overlaps: np.ndarray, gt_empty: np.ndarray,
                      grace: int = 10, threshold: float = 0.1) -> int:
    """Frames tracked before the failure of one fragment (its length when it
    never fails).

    A failure is the first run of ``grace`` consecutive frames with
    ``overlap <= threshold`` and a non-empty ground truth; the result is the
    run's first frame. ``grace <= 0`` never fails (as the toolkit, whose
    counter then never reaches 0).
    """
    o = np.asarray(overlaps, dtype=np.float64)
    n = len(o)
    if grace <= 0 or n < grace:
        return n
    bad = ((o <= threshold) & ~np.asarray(gt_empty, dtype=bool)).astype(
        np.int64)
    csum = np.concatenate([[0], np.cumsum(bad)])
    full = np.flatnonzero(csum[grace:] - csum[:-grace] == grace)
    return int(full[0]) if full.size else n


def eao_curve(fragments: Sequence[Tuple[np.ndarray, bool]],
              high: int) -> Tuple[np.ndarray, np.ndarray]:
    """Pooled EAO curve of fragments (the toolkit's ``compute_eao_partial``
    summed over sequences).

    Args:
        fragments: ``(overlaps, success)`` per fragment, overlaps after a
            failure already set to 0.
        high: curve length.

    Returns:
        ``(curve, active)``: ``(high,)`` float64 curve and the number of
        fragments averaged at each point.
    """
    total = np.zeros(high, dtype=np.float64)
    active = np.zeros(high, dtype=np.int64)
    for overlaps, success in fragments:
        o = np.asarray(overlaps, dtype=np.float64)
        n = len(o)
        m = min(n, high)
        if m > 1:
            prefix = np.cumsum(o[1:m])  # sum o_1..o_j for j = 1..m-1
            total[1:m] += prefix / np.arange(1, m)
            active[1:m] += 1
        if not success and n < high:
            # j >= n: sum(o_1..o_{n-1}) / (j - 1)
            j = np.arange(max(n, 1), high)
            total[j] += o[1:].sum() / (j - 1)
            active[j] += 1
    with np.errstate(invalid='ignore', divide='ignore'):
        curve = np.where(active > 0, total / np.maximum(active, 1), 0.0)
    return curve, active


Track = Union[np.ndarray, List[Region]]


def _track(value, name: str, key: str) -> Track:
    """Per-frame regions: an ``(N, 4)`` float64 ``xywh`` array (rectangles,
    NaN rows unknown) is kept as an array for the vectorised overlaps;
    anything else becomes a list of regions."""
    if value is None:
        raise ValueError(f'sequence {name!r}: {key!r} is missing')
    if isinstance(value, np.ndarray) and value.dtype != bool and \
            value.ndim == 2:
        if value.shape[1] != 4:
            raise ValueError(f'sequence {name!r}: {key!r} as an array must '
                             f'be (N, 4) xywh, got {value.shape}')
        boxes = value.astype(np.float64)
        if np.isinf(boxes).any():
            raise ValueError(f'sequence {name!r}: {key!r} holds inf')
        return boxes
    try:
        regions = [as_region(v) for v in value]
    except (ValueError, TypeError) as e:
        raise ValueError(f'sequence {name!r}: {key!r}: {e}') from None
    return regions


def _box_is_empty(boxes: np.ndarray) -> np.ndarray:
    """:func:`region_is_empty` of rectangle rows (NaN rows: unknown)."""
    wh = boxes[:, 2:].astype(np.float32)
    with np.errstate(invalid='ignore'):
        return np.isnan(boxes).any(1) | ~((wh[:, 0] > 0) & (wh[:, 1] > 0))


def _take(track: Track, frames: np.ndarray) -> Track:
    if isinstance(track, np.ndarray):
        return track[frames]
    return [track[i] for i in frames]


def _as_regions(track: Track) -> List[Region]:
    if isinstance(track, np.ndarray):
        return [as_region(row) for row in track]
    return track


def _fragment_overlaps(pred: Track, gt: Track, bounds,
                       ignore: Optional[List]) -> np.ndarray:
    if ignore is None and isinstance(pred, np.ndarray) and isinstance(
            gt, np.ndarray):
        return box_overlaps(pred, gt, bounds)
    return region_overlaps(_as_regions(pred), _as_regions(gt), bounds,
                           ignore)


def _resolution(seq: Mapping, name: str, bounded: bool):
    res = seq.get('resolution')
    if res is None:
        if bounded:
            raise ValueError(
                f'sequence {name!r}: the VOT analyses bound overlaps by the '
                "image; give 'resolution' (W, H) or bounded=False")
        return None
    res = np.asarray(res).reshape(-1)
    if res.shape != (2, ) or (res <= 0).any():
        raise ValueError(f'sequence {name!r}: resolution must be (W, H) > '
                         f'0, got {res.tolist()}')
    return (int(res[0]), int(res[1])) if bounded else None


def _anchor_key(pred: Mapping, anchor: int):
    if anchor in pred:
        return anchor
    for key in pred:  # numpy integers, strings of digits
        try:
            if int(key) == anchor:
                return key
        except (TypeError, ValueError):
            continue
    return None


@register_protocol(
    'vot2020',
    VOT2020_KEYS,
    description='vot-toolkit 0.9.0 multistart (VOT-ST2020/21/22): anchors, '
    'failure after 10 frames with overlap <= 0.1, EAO over 115..754',
    low=VOT2020_EAO_INTERVAL[0],
    high=VOT2020_EAO_INTERVAL[1])
def evaluate_vot2020(sequences: Mapping[str, Mapping],
                     low: int = VOT2020_EAO_INTERVAL[0],
                     high: int = VOT2020_EAO_INTERVAL[1],
                     grace: int = 10,
                     threshold: float = 0.1,
                     bounded: bool = True,
                     init_as_special: bool = True) -> dict:
    """EAO, accuracy and robustness of anchor-based results (see the module
    docstring for the input and every convention).

    Args:
        sequences: ``{name: {'gt', 'anchors', 'resolution', 'pred'[,
            'ignore']}}``.
        low, high: EAO interval (the curve has ``high`` points; EAO averages
            points ``low .. high - 1``).
        grace: consecutive low-overlap frames that make a failure.
        threshold: overlap at or below which a frame counts towards a
            failure.
        bounded: clip rasters to the image (the toolkit does whenever its
            ``burnin`` is > 0, i.e. by default).
        init_as_special: score the first region of every fragment as the
            code ``1`` (what the toolkit writes there).

    Returns:
        ``{'overall': {'EAO', 'A', 'R', 'num_sequences', 'num_fragments',
        'num_failures'}, 'per_sequence': {name: {'A', 'R', 'length',
        'num_fragments', 'num_failures', 'tracked_frames',
        'fragment_frames'}}, 'curves': {'eao_curve': (high,), 'eao_active':
        (high,), 'eao_interval': (low, high - 1)}}``; EAO, A and R are
        fractions in ``[0, 1]``.
    """
    check_sequences(sequences)
    if not 0 <= low <= high:
        raise ValueError(f'EAO interval must satisfy 0 <= low <= high, got '
                         f'low={low}, high={high}')
    fragments = []
    per_sequence: Dict[str, dict] = {}
    acc_w = rob_w = acc_sum = rob_sum = 0.0
    num_fragments = num_failures = 0
    for name, seq in sequences.items():
        gt = _track(seq.get('gt'), name, 'gt')
        if isinstance(gt, np.ndarray):
            gt_empty = _box_is_empty(gt)
        else:
            # the toolkit reads the ground truth from a text file
            gt = [as_read_from_text(r) for r in gt]
            gt_empty = np.array([region_is_empty(r) for r in gt], dtype=bool)
        n = len(gt)
        pred = seq.get('pred')
        anchors = seq.get('anchors')
        if anchors is None:
            # one forward anchor on frame 0 (documented default)
            anchors = np.zeros(n)
            anchors[:1] = 1
            if not isinstance(pred, Mapping):
                pred = {0: pred}
        anchors = np.asarray(anchors, dtype=np.float64).reshape(-1)
        if anchors.shape[0] != n:
            raise ValueError(f'sequence {name!r}: {anchors.shape[0]} anchor '
                             f'values for {n} ground-truth frames')
        forward, backward = find_anchors(anchors)
        if not forward and not backward:
            raise ValueError(f'sequence {name!r} has no anchors')
        bounds = _resolution(seq, name, bounded)
        ignore = seq.get('ignore')
        if ignore is not None:
            ignore = [None if r is None else as_region(r) for r in ignore]
            if len(ignore) != n:
                raise ValueError(f'sequence {name!r}: {len(ignore)} ignore '
                                 f'regions for {n} frames')
        if not isinstance(pred, Mapping):
            raise ValueError(
                f"sequence {name!r}: 'pred' must map anchor frames to region "
                f'lists, got {type(pred).__name__}')

        tracked = total = 0
        overlap_sum = 0.0
        failures = 0
        anchor_list = [(a, False) for a in forward] + [(a, True)
                                                       for a in backward]
        for anchor, reverse in anchor_list:
            key = _anchor_key(pred, anchor)
            if key is None:
                raise ValueError(
                    f'sequence {name!r}: no result for the '
                    f'{"backward" if reverse else "forward"} anchor at frame '
                    f'{anchor}')
            frames = fragment_frames(n, anchor, reverse)
            track = _track(pred[key], name, f'pred[{anchor}]')
            if len(track) != len(frames):
                raise ValueError(
                    f'sequence {name!r}, anchor {anchor}: {len(track)} '
                    f'regions for a fragment of {len(frames)} frames')
            if init_as_special:
                if isinstance(track, np.ndarray):
                    track = track.copy()
                    track[0] = np.nan  # empty, as the code 1
                else:
                    track = [Special(SPECIAL_INIT)] + track[1:]
            overlaps = _fragment_overlaps(
                track, _take(gt, frames), bounds,
                None if ignore is None else _take(ignore, frames))
            progress = fragment_progress(overlaps, gt_empty[frames], grace,
                                         threshold)
            tracked += progress
            total += len(frames)
            overlap_sum += float(np.sum(overlaps[:progress]))
            success = progress >= len(frames)
            if not success:
                overlaps = overlaps.copy()
                overlaps[progress:] = 0.0
                failures += 1
            fragments.append((overlaps, success))

        a_s = overlap_sum / tracked if tracked > 0 else 0.0
        r_s = tracked / total
        acc_sum += a_s * tracked
        acc_w += tracked
        rob_sum += r_s * n
        rob_w += n
        num_fragments += len(anchor_list)
        num_failures += failures
        per_sequence[name] = {
            'A': float(a_s),
            'R': float(r_s),
            'length': int(n),
            'num_fragments': len(anchor_list),
            'num_failures': int(failures),
            'tracked_frames': int(tracked),
            'fragment_frames': int(total),
        }

    curve, active = eao_curve(fragments, high)
    with np.errstate(invalid='ignore'):
        eao = float(np.mean(curve[low:high + 1])) if high > low else \
            float('nan')
    overall = {
        'EAO': eao,
        'A': float(acc_sum / acc_w) if acc_w > 0 else 0.0,
        'R': float(rob_sum / rob_w) if rob_w > 0 else float('nan'),
        'num_sequences': len(per_sequence),
        'num_fragments': int(num_fragments),
        'num_failures': int(num_failures),
    }
    return {
        'overall': overall,
        'per_sequence': per_sequence,
        'curves': {
            'eao_curve': curve,
            'eao_active': active,
            'eao_interval': (int(low), int(high) - 1),
        },
    }
