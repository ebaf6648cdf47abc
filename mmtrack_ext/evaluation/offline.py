"""Offline evaluation of stored raw tracking results of any tracker.

Reads per-sequence box files in the common layouts, checks them against the
benchmark's ground truth (missing sequences, wrong line counts, NaN rows are
reported by name) and evaluates them with a named protocol
(:func:`~mmtrack_ext.evaluation.evaluate_sequences`).

Result layouts, detected per sequence:

* GOT-10k: ``{results}/{seq}/{seq}_001.txt`` (and ``_002``, ``_003``...
  repetitions, pooled by the ``got10k`` protocol), optional
  ``{seq}_time.txt``;
* pytracking / OSTrack / LaSOT toolkit / TrackingNet: ``{results}/{seq}.txt``,
  optional ``{seq}_time.txt``.

A sequence's file may also carry the name another toolkit gives the sequence
(:attr:`BenchmarkSpec.result_aliases`: pytracking's ``uav_bike1``,
``nfs_Gymnastics``, ``Jogging_1``; pysot's ``Jogging-1``). Values may be
separated by commas, tabs or spaces (``xywh`` pixels).
"""
import os.path as osp
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from .functional import default_protocol, evaluate_sequences
from .results_io import (read_confidences, read_got10k_repetitions,
                         read_results, read_times)

__all__ = [
    'BenchmarkSpec', 'BENCHMARKS', 'register_benchmark', 'get_benchmark',
    'BenchmarkGroundTruth', 'load_ground_truth', 'ResultProblems',
    'load_raw_results', 'evaluate_raw_results'
]


@dataclass
class BenchmarkSpec:
    """How to read a benchmark's ground truth and score it.

    Attributes:
        dataset: dataset config (without ``data_root`` / ``split``), built
            from ``mmtrack_ext.registry.DATASETS`` with ``test_mode=True``.
        split: default split; ``None`` for benchmarks without splits (their
            dataset takes no ``split`` argument).
        protocol: default protocol (what papers report for it), a name of
            :func:`~mmtrack_ext.evaluation.list_protocols` (it may be
            registered later than the benchmark). The built-in benchmarks
            take it from :data:`~mmtrack_ext.evaluation.DEFAULT_PROTOCOLS`.
        protocol_options: options of the default protocol (e.g. LaSOT's
            ``dataset='lasot'``), used only when the protocol is not chosen
            explicitly.
        layout: the layout its toolkit or server reads (``'got10k'`` or
            ``'pytracking'``), what ``tools/test.py`` writes for it;
            ``'vot'``: the VOT toolkit's anchor-based fragments
            (``tools/analysis_tools/run_vot2020.py`` writes them,
            :func:`~mmtrack_ext.evaluation.load_vot_results` reads them).
        sequence_keys: per-frame annotation keys handed to the protocol
            besides ``gt``, ``cover``, ``absent`` and ``resolution`` (e.g.
            LaSOT's ``target_visible``).
        result_aliases: ``fn(name) -> [file stems]``: other names the
            benchmark's toolkits give a sequence's result file, tried in
            order after ``name`` itself.
        description: one line for listings.
    """
    dataset: dict
    split: Optional[str]
    protocol: str
    protocol_options: Dict = field(default_factory=dict)
    layout: str = 'pytracking'
    sequence_keys: Tuple[str, ...] = ()
    result_aliases: Optional[Callable[[str], Sequence[str]]] = None
    description: str = ''


def _prefixed(prefix: str) -> Callable[[str], List[str]]:
    def aliases(name: str) -> List[str]:
        return [prefix + name]

    aliases.__doc__ = f'pytracking names the sequence {prefix}{{name}}'
    return aliases


def _otb_aliases(name: str) -> List[str]:
    """Multi-target OTB sequences: ``Jogging.1`` is ``Jogging_1`` in
    pytracking and ``Jogging-1`` in pysot."""
    if '.' not in name:
        return []
    return [name.replace('.', '_'), name.replace('.', '-')]


#: Benchmarks :func:`evaluate_raw_results` knows, by name.
BENCHMARKS: Dict[str, BenchmarkSpec] = {
    'got10k': BenchmarkSpec(
        dict(type='GOT10kDataset'), 'val', *default_protocol('got10k'),
        layout='got10k',
        description='GOT-10k (val offline; test on the server)'),
    # the synthetic sequences of tools/dataset_converters/make_synthetic.py
    'synthetic': BenchmarkSpec(
        dict(type='GOT10kDataset'), 'val', 'got10k', layout='got10k',
        description='synthetic GOT-10k-layout sequences'),
    # default protocols: DEFAULT_PROTOCOLS (functional/protocols.py) owns
    # the choice. LaSOT: the STARK/OSTrack LaSOT mode, frames with
    # full_occlusion or out_of_view fail every metric, the denominator
    # stays all frames
    'lasot': BenchmarkSpec(
        dict(type='LaSOTDataset'), 'test', *default_protocol('lasot'),
        sequence_keys=('target_visible', ),
        description='LaSOT protocol II test set (280 sequences)'),
    # pytracking and OSTrack do not run their LaSOT mode on LaSOT_ext (the
    # dataset is named lasot_extension_subset): visibility only enters the
    # validity of frames, invisible ones are normalised-precision hits
    'lasot_ext': BenchmarkSpec(
        dict(type='LaSOTExtDataset'), 'test', *default_protocol('lasot_ext'),
        sequence_keys=('target_visible', ),
        description='LaSOT_ext (150 sequences)'),
    'trackingnet': BenchmarkSpec(
        dict(type='TrackingNetDataset'), 'test',
        *default_protocol('trackingnet'),
        description='TrackingNet (test on the server; TRAIN_k offline)'),
    'tnl2k': BenchmarkSpec(
        dict(type='TNL2KDataset'), 'test', *default_protocol('tnl2k'),
        description='TNL2K test set (700 sequences)'),
    'nfs': BenchmarkSpec(
        dict(type='NFSDataset'), None, *default_protocol('nfs'),
        result_aliases=_prefixed('nfs_'),
        description='NfS 30 fps (100 sequences)'),
    'otb100': BenchmarkSpec(
        dict(type='OTB100Dataset'), None, *default_protocol('otb100'),
        result_aliases=_otb_aliases,
        description='OTB100 / OTB-2015 (100 sequences)'),
    'uav123': BenchmarkSpec(
        dict(type='UAV123Dataset'), None, *default_protocol('uav123'),
        result_aliases=_prefixed('uav_'),
        description='UAV123 (123 sequences)'),
    # one fragment per anchor: {seq}/{seq}_{anchor:08d}.txt
    'vot2020': BenchmarkSpec(
        dict(type='VOT2020Dataset'), None, *default_protocol('vot2020'),
        layout='vot',
        description='VOT2020 short-term (anchor-based EAO, A, R)'),
}


def register_benchmark(name: str, spec: BenchmarkSpec,
                       force: bool = False) -> None:
    """Add a benchmark to :data:`BENCHMARKS`."""
    if name in BENCHMARKS and not force:
        raise KeyError(f'benchmark {name!r} is already registered')
    BENCHMARKS[name] = spec


def get_benchmark(name: str) -> BenchmarkSpec:
    """The :class:`BenchmarkSpec` called ``name``."""
    try:
        return BENCHMARKS[name]
    except KeyError:
        raise KeyError(f'unknown benchmark {name!r}; known: '
                       f'{sorted(BENCHMARKS)}') from None


@dataclass
class BenchmarkGroundTruth:
    """The annotation of a benchmark split, as the protocols take it.

    Attributes:
        benchmark: name in :data:`BENCHMARKS`.
        split: the split read (``None`` for benchmarks without splits).
        sequences: ``{name: {'gt': (N, 4) xywh, 'cover', 'absent',
            'resolution', ...}}`` in dataset order (protocol inputs, see
            :mod:`~mmtrack_ext.evaluation.functional.protocols`).
        attributes: ``{name: [codes]}`` of the sequences whose loader gives
            attributes (OTB100, UAV123 with its ``att`` files).
        attribute_names: ``{code: description}`` of the benchmark's
            attributes, in the toolkit's order.
    """
    benchmark: str
    split: Optional[str]
    sequences: Dict[str, dict]
    attributes: Dict[str, List[str]] = field(default_factory=dict)
    attribute_names: Dict[str, str] = field(default_factory=dict)

    @property
    def lengths(self) -> Dict[str, int]:
        """``{name: number of frames}``."""
        return {k: len(v['gt']) for k, v in self.sequences.items()}


def load_ground_truth(benchmark: str,
                      data_root: str,
                      split: Optional[str] = None,
                      dataset_options: Optional[dict] = None
                      ) -> BenchmarkGroundTruth:
    """Read a benchmark split's ground truth in its official layout.

    Args:
        benchmark: a name in :data:`BENCHMARKS`.
        data_root: the benchmark's folder.
        split: split (default: the benchmark's).
        dataset_options: extra dataset arguments, e.g.
            ``{'sequence_list': [...]}`` to score a subset.

    Raises:
        ValueError: a split whose ground truth holds only the first box
            (GOT-10k / TrackingNet test: scored on their servers), or a
            split given for a benchmark without splits.
    """
    from mmtrack_ext.registry import DATASETS
    spec = get_benchmark(benchmark)
    if spec.layout == 'vot':
        raise ValueError(
            f'{benchmark} is scored per anchor fragment (EAO, A, R), not as '
            'one-pass sequences: use evaluate_raw_results or '
            'tools/analysis_tools/run_vot2020.py')
    if split is None:
        split = spec.split
    elif spec.split is None:
        raise ValueError(f'benchmark {benchmark!r} has no splits (got '
                         f'split={split!r})')
    cfg = dict(spec.dataset, data_root=data_root, test_mode=True)
    cfg.update(dataset_options or {})
    if split is not None:
        cfg['split'] = split
    dataset = DATASETS.build(cfg)
    sequences, attributes = {}, {}
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
        seq = dict(gt=boxes, cover=ann.get('cover'), absent=ann.get('absent'),
                   resolution=dataset.get_resolution(i))
        for key in spec.sequence_keys:
            if ann.get(key) is None:
                raise KeyError(f'{benchmark}: the annotation of {name} has '
                               f'no {key!r}')
            seq[key] = ann[key]
        sequences[name] = seq
        codes = dataset.get_video_info(i).get('attributes')
        if codes is not None:
            attributes[name] = list(codes)
    return BenchmarkGroundTruth(
        benchmark=benchmark,
        split=split,
        sequences=sequences,
        attributes=attributes,
        attribute_names=dict(dataset.metainfo.get('attribute_names') or {}))


def _ground_truth(benchmark: str, data_root: str, split: Optional[str]):
    """``load_ground_truth(...).sequences`` (kept for callers of the
    earlier name)."""
    return load_ground_truth(benchmark, data_root, split).sequences


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


def _read_sequence(results: str, stem: str):
    """Boxes (a list of repetitions), times and confidences (repetition 1)
    of one sequence's file ``stem``, or ``None`` when no file exists."""
    if osp.isdir(osp.join(results, stem)):
        reps = read_got10k_repetitions(results, stem)
        time_file = osp.join(results, stem, f'{stem}_time.txt')
        score_file = osp.join(results, stem, f'{stem}_001_confidence.value')
    elif osp.isfile(osp.join(results, f'{stem}.txt')):
        reps = [read_results(osp.join(results, f'{stem}.txt'))]
        time_file = osp.join(results, f'{stem}_time.txt')
        score_file = osp.join(results, f'{stem}_confidence.value')
    else:
        return None
    times = read_times(time_file) if osp.isfile(time_file) else None
    scores = (read_confidences(score_file) if osp.isfile(score_file) else
              None)
    if scores is not None and len(scores) != len(reps[0]):
        raise ValueError(f'{score_file}: {len(scores)} confidences for '
                         f'{len(reps[0])} boxes')
    return reps, times, scores


def load_raw_results(results: str,
                     lengths: Mapping[str, int],
                     aliases: Optional[Callable[[str], Sequence[str]]] = None):
    """Read the results of every sequence in ``lengths`` (name -> frames).

    Args:
        results: the results folder (layouts in the module docstring).
        lengths: ``{name: number of frames}``.
        aliases: ``fn(name) -> [file stems]`` tried after ``name`` when it
            has no file (:attr:`BenchmarkSpec.result_aliases`).

    Returns:
        tuple: ``{seq: {'pred': (N, 4) or [(N, 4), ...], 'times'[,
        'score']}}`` of the sequences that can be scored (``score``: the
        per-frame confidences, where a confidence file exists) and a
        :class:`ResultProblems`.
    """
    if not osp.isdir(results):
        raise FileNotFoundError(f'results folder not found: {results}')
    preds, problems = {}, ResultProblems()
    for seq, n in lengths.items():
        stems = [seq] + (list(aliases(seq)) if aliases is not None else [])
        found = None
        try:
            for stem in stems:
                found = _read_sequence(results, stem)
                if found is not None:
                    break
        except (ValueError, FileNotFoundError) as e:
            problems.unreadable[seq] = str(e)
            continue
        if found is None:
            problems.missing.append(seq)
            continue
        reps, times, scores = found
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
        if scores is not None:
            preds[seq]['score'] = scores
    return preds, problems


def _jsonable(value):
    """Lists and floats for the numpy values of protocol outputs."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def evaluate_raw_results(benchmark: str,
                         data_root: str,
                         results: str,
                         split: Optional[str] = None,
                         protocol: Optional[str] = None,
                         skip_invalid: bool = False,
                         dataset_options: Optional[dict] = None,
                         ground_truth: Optional[BenchmarkGroundTruth] = None,
                         return_curves: bool = False,
                         per_attribute: bool = False,
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
        dataset_options: extra dataset arguments (e.g. ``sequence_list``).
        ground_truth: an already loaded :func:`load_ground_truth` of this
            benchmark (``data_root``, ``split`` and ``dataset_options`` are
            then not used), to score several trackers without reading the
            annotation again.
        return_curves: add the protocol's ``curves`` (lists of floats).
        per_attribute: add ``per_attribute``: ``{code: {'name',
            'num_sequences', 'sequences', 'overall'[, 'curves']}}``, the
            protocol run on the scored sequences having each attribute
            (benchmarks whose loader gives attributes; empty otherwise).
        **protocol_options: passed to the protocol.

    Returns:
        dict: ``benchmark``, ``protocol``, ``split``, ``overall``,
        ``per_sequence``, ``problems`` (:meth:`ResultProblems.to_dict`),
        ``excluded``, ``num_sequences``, ``load_seconds`` (reading ground
        truth and results) and ``eval_seconds`` (computing the metrics);
        metrics are fractions in [0, 1] (``FPS`` and counts excepted).

    Raises:
        KeyError: unknown benchmark or protocol.
        ValueError: invalid sequences without ``skip_invalid``.
    """
    spec = get_benchmark(benchmark)
    if spec.layout == 'vot':
        return _evaluate_vot_results(benchmark, data_root, results, protocol,
                                     dataset_options, protocol_options)
    if protocol is None:
        protocol = spec.protocol
        protocol_options = dict(spec.protocol_options, **protocol_options)
    t0 = time.perf_counter()
    if ground_truth is None:
        ground_truth = load_ground_truth(benchmark, data_root, split,
                                         dataset_options)
    elif ground_truth.benchmark != benchmark:
        raise ValueError(f'ground truth of {ground_truth.benchmark!r} given '
                         f'to evaluate {benchmark!r}')
    split = ground_truth.split
    gts = ground_truth.sequences
    preds, problems = load_raw_results(results, ground_truth.lengths,
                                       spec.result_aliases)
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
    report = dict(
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
    if return_curves:
        report['curves'] = _jsonable(out.get('curves', {}))
    if per_attribute:
        report['per_attribute'] = _evaluate_attributes(
            ground_truth, sequences, protocol, return_curves,
            protocol_options)
    return report


def _evaluate_vot_results(benchmark: str, data_root: str, results: str,
                          protocol: Optional[str],
                          dataset_options: Optional[dict],
                          protocol_options: dict) -> dict:
    """:func:`evaluate_raw_results` for the anchor-based VOT layout: every
    fragment must exist (a missing one is named), the protocol runs on the
    regions as stored."""
    from mmtrack_ext.registry import DATASETS
    from .vot_results import load_vot_results
    spec = get_benchmark(benchmark)
    if protocol is None:
        protocol = spec.protocol
        protocol_options = dict(spec.protocol_options, **protocol_options)
    t0 = time.perf_counter()
    cfg = dict(spec.dataset, data_root=data_root, test_mode=True)
    cfg.update(dataset_options or {})
    dataset = DATASETS.build(cfg)
    sequences = load_vot_results(results, dataset)
    load_seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    out = evaluate_sequences(protocol, sequences, **protocol_options)
    eval_seconds = time.perf_counter() - t1
    return dict(
        benchmark=benchmark,
        protocol=protocol,
        split=None,
        overall={k: float(v) for k, v in out['overall'].items()},
        per_sequence={
            seq: {k: float(v) for k, v in m.items()
                  if isinstance(v, (int, float, np.number))}
            for seq, m in out['per_sequence'].items()
        },
        problems=ResultProblems().to_dict(),
        excluded=[],
        num_sequences=len(sequences),
        load_seconds=load_seconds,
        eval_seconds=eval_seconds)


def _evaluate_attributes(ground_truth: BenchmarkGroundTruth,
                         sequences: Dict[str, dict], protocol: str,
                         return_curves: bool, options: dict) -> dict:
    codes = list(ground_truth.attribute_names) or sorted(
        {c for v in ground_truth.attributes.values() for c in v})
    out = {}
    for code in codes:
        subset = {
            k: v
            for k, v in sequences.items()
            if code in ground_truth.attributes.get(k, ())
        }
        if not subset:
            continue
        res = evaluate_sequences(protocol, subset, **options)
        entry = dict(
            name=ground_truth.attribute_names.get(code, code),
            num_sequences=len(subset),
            sequences=list(subset),
            overall={k: float(v) for k, v in res['overall'].items()})
        if return_curves:
            entry['curves'] = _jsonable(res.get('curves', {}))
        out[code] = entry
    return out
