"""Resumable testing: skip the videos whose results are already written.

:class:`~mmtrack_ext.evaluation.SOTMetric` writes each video's result file
as soon as the video is tracked. A test run that stops (crash, time limit,
pre-emption) therefore leaves the finished videos on disk. Run again with
``tools/test.py --skip-done`` (or ``skip_done = True`` in the config) and

1. :func:`plan_resume` lists the videos of the test dataset whose box file
   in the metric's ``outfile_prefix`` is complete (it parses and has one row
   per frame, :func:`~mmtrack_ext.evaluation.is_complete_result`);
2. :func:`apply_resume` restricts the test dataset to the other videos
   (its ``indices``; :class:`~mmtrack_ext.datasets.VideoSampler` then
   balances the ranks by the frames left) and tells the metric to read the
   finished ones back (``resumed_sequences`` / ``resumed_dataset``), so the
   final metrics cover every video, exactly as one uninterrupted run.
"""
import copy
import os.path as osp
from dataclasses import dataclass, field
from typing import List, Optional

from .results_io import canonical_layout, is_complete_result

__all__ = ['ResumePlan', 'find_sot_metric_cfg', 'plan_resume', 'apply_resume']


@dataclass
class ResumePlan:
    """What a resumed test run tracks and what it reads back.

    Attributes:
        outfile_prefix: the results folder.
        layout: its layout (``'got10k'`` or ``'pytracking'``).
        done: names of the videos with complete results (read back).
        remaining: indices (in the dataset's full video list) of the videos
            to track.
        frames_done, frames_left: frames of ``done`` / ``remaining``.
        prefix_was_set: whether the config named ``outfile_prefix`` (else
            :func:`apply_resume` sets it).
    """
    outfile_prefix: str
    layout: str
    done: List[str] = field(default_factory=list)
    remaining: List[int] = field(default_factory=list)
    frames_done: int = 0
    frames_left: int = 0
    prefix_was_set: bool = True

    def summary(self) -> str:
        return (f'{len(self.done)} videos ({self.frames_done} frames) '
                f'already have complete results in {self.outfile_prefix} '
                f'and are skipped; {len(self.remaining)} videos '
                f'({self.frames_left} frames) are left to track')


def _type_name(cfg) -> str:
    t = cfg.get('type', '') if hasattr(cfg, 'get') else ''
    return t.__name__ if isinstance(t, type) else str(t).split('.')[-1]


def find_sot_metric_cfg(evaluator_cfg):
    """The ``SOTMetric`` config inside a ``test_evaluator`` config (a metric
    dict, a list of them, or ``dict(type='Evaluator', metrics=...)``).

    Raises:
        ValueError: none or several ``SOTMetric`` configs.
    """
    if isinstance(evaluator_cfg, (list, tuple)):
        candidates = list(evaluator_cfg)
    elif evaluator_cfg is not None and 'metrics' in evaluator_cfg:
        metrics = evaluator_cfg['metrics']
        candidates = list(metrics) if isinstance(metrics,
                                                 (list, tuple)) else [metrics]
    else:
        candidates = [evaluator_cfg]
    found = [c for c in candidates
             if c is not None and _type_name(c) == 'SOTMetric']
    if len(found) != 1:
        raise ValueError('skipping finished videos needs exactly one '
                         f'SOTMetric in test_evaluator, found {len(found)}')
    return found[0]


def plan_resume(cfg, default_prefix: Optional[str] = None) -> ResumePlan:
    """Find the videos of ``cfg.test_dataloader.dataset`` whose results are
    complete in the ``SOTMetric``'s ``outfile_prefix``.

    Args:
        cfg: the test config (not modified).
        default_prefix: results folder when the metric has no
            ``outfile_prefix`` (``tools/test.py``: ``{work_dir}/results``).

    Raises:
        ValueError: no results folder, or a test dataset that does not list
            videos (not a :class:`~mmtrack_ext.datasets.BaseSOTDataset`).
    """
    from mmtrack_ext.datasets import BaseSOTDataset
    from mmtrack_ext.registry import DATASETS
    metric = find_sot_metric_cfg(cfg.get('test_evaluator'))
    prefix = metric.get('outfile_prefix') or default_prefix
    if not prefix:
        raise ValueError('skipping finished videos needs the results folder '
                         '(test_evaluator.outfile_prefix)')
    layout = canonical_layout(metric.get('layout', 'got10k'))
    ds_cfg = copy.deepcopy(dict(cfg.test_dataloader.dataset))
    indices = ds_cfg.pop('indices', None)
    ds_cfg.update(test_mode=True, pipeline=[])
    dataset = DATASETS.build(ds_cfg)
    if not isinstance(dataset, BaseSOTDataset):
        raise ValueError('skipping finished videos needs a video dataset '
                         f'(BaseSOTDataset), got {type(dataset).__name__}')
    everything = list(range(dataset.num_videos))
    selected = everything if indices is None else \
        BaseSOTDataset._select_videos(everything, indices)
    plan = ResumePlan(outfile_prefix=prefix, layout=layout,
                      prefix_was_set=bool(metric.get('outfile_prefix')))
    lengths = dataset.video_lengths
    for i in selected:
        name, n = dataset.get_video_name(i), int(lengths[i])
        if osp.isdir(prefix) and is_complete_result(prefix, name, n, layout):
            plan.done.append(name)
            plan.frames_done += n
        else:
            plan.remaining.append(int(i))
            plan.frames_left += n
    return plan


def apply_resume(cfg, plan: ResumePlan) -> None:
    """Restrict ``cfg``'s test dataset to ``plan.remaining`` and make its
    ``SOTMetric`` read ``plan.done`` back (in place)."""
    metric = find_sot_metric_cfg(cfg.get('test_evaluator'))
    dataset = cfg.test_dataloader.dataset
    full = copy.deepcopy(dict(dataset))
    full.pop('indices', None)
    full.pop('pipeline', None)
    dataset['indices'] = list(plan.remaining)
    if not plan.remaining:
        # nothing to track; mmengine cannot serialise an empty video list
        dataset['serialize_data'] = False
    metric['outfile_prefix'] = plan.outfile_prefix
    metric['resumed_sequences'] = list(plan.done)
    metric['resumed_dataset'] = full
