"""Run a box tracker through VOT's anchor-based (multistart) experiment."""
import os.path as osp
import time
from typing import Callable, Dict, Iterable, List, Optional

import cv2
import numpy as np
import torch

from mmtrack_ext.evaluation.functional.vot import (find_anchors,
                                                   fragment_frames)
from mmtrack_ext.evaluation.vot_results import (fragment_regions_from_boxes,
                                                vot_trajectory_path,
                                                write_vot_trajectory)
from mmtrack_ext.structures import xywh_to_xyxy, xyxy_to_xywh
from .inference import _to_tensor

__all__ = ['track_fragment', 'run_vot_multistart']


def _fragment_done(root: str, seq: str, anchor: int, length: int) -> bool:
    """A complete text trajectory of ``length`` lines already exists."""
    path = vot_trajectory_path(root, seq, anchor)
    if not osp.isfile(path):
        return False
    with open(path) as f:
        lines = [line for line in f.read().splitlines() if line.strip()]
    return len(lines) == length


@torch.no_grad()
def track_fragment(model: torch.nn.Module, frame_paths: List[str],
                   init_box: np.ndarray) -> tuple:
    """Track from ``frame_paths[0]`` (initialised on ``init_box``, ``xywh``
    pixels) through the other frames, in the order given.

    Returns:
        tuple: ``(L, 4)`` ``xywh`` boxes (row 0 = ``init_box``) and ``(L,)``
        seconds per frame spent by the tracker (reading frames excluded).
    """
    device = next(model.parameters()).device
    boxes = np.empty((len(frame_paths), 4), dtype=np.float64)
    times = np.empty(len(frame_paths), dtype=np.float64)
    state = None
    for i, path in enumerate(frame_paths):
        frame = cv2.imread(path, cv2.IMREAD_COLOR)
        if frame is None:
            raise FileNotFoundError(f'cannot read frame {path}')
        start = time.perf_counter()
        img = _to_tensor(frame, device)
        if state is None:
            state = model.init(
                img, xywh_to_xyxy(torch.as_tensor(init_box,
                                                  dtype=torch.float32)))
            box = np.asarray(init_box, dtype=np.float64)
        else:
            box = xyxy_to_xywh(model.track(img, state)[0].cpu().numpy())
        times[i] = time.perf_counter() - start
        boxes[i] = box
    return boxes, times


def run_vot_multistart(model: torch.nn.Module,
                       dataset,
                       out_dir: str,
                       skip_done: bool = True,
                       video_indices: Optional[Iterable[int]] = None,
                       log: Optional[Callable[[str], None]] = None
                       ) -> Dict[str, int]:
    """Run ``model`` from every anchor of every video and store the
    fragments in the toolkit's layout (``{out_dir}/{seq}/{seq}_{anchor:08d}
    .txt`` and ``..._time.value``), which
    :func:`~mmtrack_ext.evaluation.load_vot_results` reads back for the
    ``vot2020`` protocol.

    Every fragment is written as soon as it is tracked, so an interrupted
    run continues where it stopped when ``skip_done`` (fragments whose text
    file has the right number of lines are not tracked again).

    Args:
        model: a tracker with ``init``/``track`` (:func:`~mmtrack_ext.apis.
            init_tracker`).
        dataset: a :class:`~mmtrack_ext.datasets.VOT2020Dataset`. The
            tracker starts from the axis-aligned box of the anchor frame's
            ground-truth region (``bboxes_xywh``).
        out_dir: the experiment's results folder.
        skip_done: keep complete fragments already on disk.
        video_indices: run only these videos (default: all).
        log: called with one line per video.

    Returns:
        dict: ``{'tracked': n, 'skipped': m}`` fragments.
    """
    if video_indices is None:
        video_indices = range(dataset.num_videos)
    counts = dict(tracked=0, skipped=0)
    for idx in video_indices:
        name = dataset.get_video_name(idx)
        n = dataset.get_video_length(idx)
        boxes = np.array(dataset.get_annotation(idx)['bboxes_xywh'],
                         dtype=np.float64)
        forward, backward = find_anchors(dataset.get_anchors(idx))
        done_here = 0
        for anchor, back in [(a, False) for a in forward] + \
                [(a, True) for a in backward]:
            frames = fragment_frames(n, anchor, backward=back)
            if skip_done and _fragment_done(out_dir, name, anchor,
                                            len(frames)):
                counts['skipped'] += 1
                continue
            init = boxes[anchor]
            if not (np.isfinite(init).all() and init[2] > 0 and init[3] > 0):
                raise ValueError(
                    f'{name}: anchor frame {anchor} has no target box '
                    f'({init.tolist()}) to initialise the tracker from')
            pred, times = track_fragment(
                model, [dataset.get_frame_path(idx, int(f)) for f in frames],
                init)
            write_vot_trajectory(out_dir, name, anchor,
                                 fragment_regions_from_boxes(pred), times)
            counts['tracked'] += 1
            done_here += 1
        if log is not None:
            log(f'{name}: {done_here} fragments tracked, '
                f'{len(forward) + len(backward) - done_here} already done')
    return counts
