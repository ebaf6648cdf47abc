"""Offline evaluation of stored raw tracking results of any tracker.

Reads per-sequence box files in the common layouts, checks them against the
benchmark's ground truth (missing sequences, wrong line counts, NaN rows are
reported by name) and evaluates them with a named protocol
(:func:`~mmtrack_ext.evaluation.evaluate_sequences`).

Result layouts, detected per sequence:

* GOT-10k: ``{results}/{seq}/{seq}_001.txt`` (and ``_002``, ``_003``...
  repetitions, pooled by the ``got10k`` protocol), optional
  ``{seq}_time.txt``;
* pytracking / OSTrack: ``{results}/{seq}.txt``, optional
  ``{seq}_time.txt``.

Values may be separated by commas, tabs or spaces (``xywh`` pixels).
"""
import os.path as osp
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np

from .functional import evaluate_sequences
from .results_io import read_got10k_repetitions, read_results, read_times

__all__ = [
    'BenchmarkSpec', 'BENCHMARKS', 'register_benchmark', 'ResultProblems',
    'load_raw_results', 'evaluate_raw_results'
]


@dataclass
class BenchmarkSpec:
    """How to read a benchmark's ground truth and score it.

    Attributes:
        dataset: dataset config (without ``data_root`` / ``split``), built
            from ``mmtrack_ext.registry.DATASETS`` with ``test_mode=True``.
        split: default split.
        protocol: default protocol (what papers report for it).
    """
    dataset: dict
    split: Optional[str]
    protocol: str


#: Benchmarks :func:`evaluate_raw_results` knows, by name.
BENCHMARKS: Dict[str, BenchmarkSpec] = {
    'got10k': BenchmarkSpec(dict(type='GOT10kDataset'), 'val', 'got10k'),
    # the synthetic sequences of tools/dataset_converters/make_synthetic.py
    'synthetic': BenchmarkSpec(dict(type='GOT10kDataset'), 'val', 'got10k'),
}


def register_benchmark(name: str, spec: BenchmarkSpec,
                       force: bool = False) -> None:
    """Add a benchmark to :data:`BENCHMARKS`."""
    if name in BENCHMARKS and not force:
        raise KeyError(f'benchmark {name!r} is already registered')
    BENCHMARKS[name] = spec


@dataclass
class ResultProblems:
    """What is wrong with a result set, by sequence name.

    Attributes:
        missing: sequences without a result file.
        unreadable: ``{seq: message}`` for files that do not parse.
        wrong_length: ``{seq: (lines, frames)}``.
        nan_rows: ``{seq: [frame indices]}`` of rows holding NaN (kept and
            scored as the protocol documents, but reported).
    """
    missing: List[str] = field(default_factory=list)
    unreadable: Dict[str, str] = field(default_factory=dict)
    wrong_length: Dict[str, tuple] = field(default_factory=dict)
    nan_rows: Dict[str, List[int]] = field(default_factory=dict)

    @property
    def invalid(self) -> List[str]:
        """Sequences that cannot be scored."""
        return sorted(set(self.missing) | set(self.unreadable)
                      | set(self.wrong_length))

    def to_dict(self) -> dict:
        return dict(
            missing=list(self.missing),
            unreadable=dict(self.unreadable),
            wrong_length={k: dict(lines=v[0], frames=v[1])
                          for k, v in self.wrong_length.items()},
            nan_rows={k: list(v) for k, v in self.nan_rows.items()})

    def summary(self, limit: int = 10) -> str:
        lines = []
        for title, items in (
                ('missing', self.missing),
                ('unreadable', [f'{k}: {v}'
                                for k, v in self.unreadable.items()]),
                ('wrong line count', [
                    f'{k}: {n} lines for {m} frames'
                    for k, (n, m) in self.wrong_length.items()
                ]),
                ('NaN rows', [
                    f'{k}: {len(v)} rows (first frames {v[:5]})'
                    for k, v in self.nan_rows.items()
                ])):
            if items:
                more = (f' ... and {len(items) - limit} more'
                        if len(items) > limit else '')
                lines.append(f'{title} ({len(items)}): ' +
                             '; '.join(items[:limit]) + more)
        return '\n'.join(lines)


def _read_sequence(results: str, seq: str):
    """Boxes (a list of repetitions) and times of one sequence, or
    ``None`` when no file exists."""
    if osp.isdir(osp.join(results, seq)):
        reps = read_got10k_repetitions(results, seq)
        time_file = osp.join(results, seq, f'{seq}_time.txt')
    elif osp.isfile(osp.join(results, f'{seq}.txt')):
        reps = [read_results(osp.join(results, f'{seq}.txt'))]
        time_file = osp.join(results, f'{seq}_time.txt')
    else:
        return None
    times = read_times(time_file) if osp.isfile(time_file) else None
    return reps, times


def load_raw_results(results: str, lengths: Dict[str, int]):
    """Read the results of every sequence in ``lengths`` (name -> frames).

    Returns:
        tuple: ``{seq: {'pred': (N, 4) or [(N, 4), ...], 'times'}}`` of the
        sequences that can be scored and a :class:`ResultProblems`.
    """
    if not osp.isdir(results):
        raise FileNotFoundError(f'results folder not found: {results}')
    preds, problems = {}, ResultProblems()
    for seq, n in lengths.items():
        try:
            found = _read_sequence(results, seq)
        except (ValueError, FileNotFoundError) as e:
            problems.unreadable[seq] = str(e)
            continue
        if found is None:
            problems.missing.append(seq)
            continue
        reps, times = found
        bad = [len(r) for r in reps if len(r) != n]
        if bad:
            problems.wrong_length[seq] = (bad[0], n)
            continue
        nan = sorted({int(i) for r in reps
                      for i in np.nonzero(np.isnan(r).any(axis=1))[0]})
        if nan:
            problems.nan_rows[seq] = nan
        preds[seq] = dict(pred=reps if len(reps) > 1 else reps[0],
                          times=times)
    return preds, problems


def _ground_truth(benchmark: str, data_root: str, split: Optional[str]):
    from mmtrack_ext.registry import DATASETS
    spec = BENCHMARKS[benchmark]
    cfg = dict(spec.dataset, data_root=data_root, test_mode=True)
    if split is not None:
        cfg['split'] = split
    dataset = DATASETS.build(cfg)
    gts = {}
    for i in range(dataset.num_videos):
        ann = dataset.get_annotation(i)
        boxes = ann['bboxes_xywh']  # the file's values, not a round trip
        name = dataset.get_video_name(i)
        unannotated = len(boxes) > 1 and np.isnan(boxes[1:]).all()
        if len(boxes) != dataset.get_video_length(i) or unannotated:
            raise ValueError(
                f'{benchmark} {split}: sequence {name} has ground truth for '
                f'{len(boxes)} of {dataset.get_video_length(i)} frames '
                '(a test split without public annotations cannot be '
                'evaluated offline; use its server)')
        gts[name] = dict(gt=boxes, cover=ann.get('cover'),
                         absent=ann.get('absent'),
                         resolution=dataset.get_resolution(i))
    return gts


def evaluate_raw_results(benchmark: str,
                         data_root: str,
                         results: str,
                         split: Optional[str] = None,
                         protocol: Optional[str] = None,
                         skip_invalid: bool = False,
                         **protocol_options) -> dict:
    """Score a folder of raw results on a benchmark.

    Args:
        benchmark: a name in :data:`BENCHMARKS`.
        data_root: the benchmark's folder in its official layout.
        results: the results folder (layouts in the module docstring).
        split: split (default: the benchmark's).
        protocol: protocol name (default: the benchmark's).
        skip_invalid: score the valid sequences when some are missing,
            unreadable or of the wrong length (they are listed in
            ``excluded``); otherwise such a result set raises.

    Returns:
        dict: ``benchmark``, ``protocol``, ``split``, ``overall``,
        ``per_sequence``, ``problems`` (:meth:`ResultProblems.to_dict`),
        ``excluded``, ``num_sequences``, ``load_seconds`` (reading ground
        truth and results) and ``eval_seconds`` (computing the metrics).

    Raises:
        KeyError: unknown benchmark.
        ValueError: invalid sequences without ``skip_invalid``.
    """
    if benchmark not in BENCHMARKS:
        raise KeyError(f'unknown benchmark {benchmark!r}; known: '
                       f'{sorted(BENCHMARKS)}')
    spec = BENCHMARKS[benchmark]
    split = split if split is not None else spec.split
    protocol = protocol or spec.protocol
    t0 = time.perf_counter()
    gts = _ground_truth(benchmark, data_root, split)
    preds, problems = load_raw_results(
        results, {k: len(v['gt']) for k, v in gts.items()})
    load_seconds = time.perf_counter() - t0
    invalid = problems.invalid
    if invalid and not skip_invalid:
        raise ValueError(
            f'{len(invalid)} of {len(gts)} sequences of {benchmark} '
            f'({split}) cannot be scored from {results}:\n'
            f'{problems.summary()}\n(pass skip_invalid / --skip-invalid to '
            'score the others)')
    if not preds:
        raise ValueError(f'no sequence of {benchmark} ({split}) can be '
                         f'scored from {results}:\n{problems.summary()}')
    sequences = {k: dict(gts[k], **v) for k, v in preds.items()}
    t1 = time.perf_counter()
    out = evaluate_sequences(protocol, sequences, **protocol_options)
    eval_seconds = time.perf_counter() - t1
    return dict(
        benchmark=benchmark,
        protocol=protocol,
        split=split,
        overall={k: float(v) for k, v in out['overall'].items()},
        per_sequence={
            seq: {k: float(v) for k, v in m.items()}
            for seq, m in out['per_sequence'].items()
        },
        problems=problems.to_dict(),
        excluded=invalid,
        num_sequences=len(sequences),
        load_seconds=load_seconds,
        eval_seconds=eval_seconds)
