"""``SOTMetric``: video-level evaluation of single-object tracking results."""
import logging
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.dist import (all_gather_object, broadcast_object_list,
                           is_main_process)
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmengine.structures import BaseDataElement

from mmtrack_ext.registry import METRICS
from ..functional import get_protocol
from ..results_io import (SCORE_DECIMALS, TIME_DECIMALS, absence_path,
                          as_written, canonical_layout, confidence_path,
                          read_absence, read_confidences, read_results,
                          read_times, result_path, time_path,
                          write_sequence_results)

__all__ = ['SOTMetric', 'strip_metric_prefix']

# one row per tracked frame; ~140 bytes, so LaSOT (685k frames) is ~100 MB
_REC_DTYPE = np.dtype([
    ('video', np.int64),  # index into the rank's list of video names
    ('video_id', np.int64),
    ('frame_id', np.int64),
    ('video_length', np.int64),  # -1 unknown
    ('height', np.float64),  # ori_shape, NaN unknown
    ('width', np.float64),
    ('pred', np.float64, (4, )),  # xywh frame px
    ('gt', np.float64, (4, )),  # xywh frame px
    ('score', np.float64),
    ('time', np.float64),  # track_time in s, NaN unknown
    ('has_pred', np.bool_),
    ('has_gt', np.bool_),
    ('visible', np.int8),  # 1, 0, -1 unknown
    ('absent', np.int8),
    ('cover', np.int8),
    ('pred_absent', np.int8),  # the tracker's absence report, -1 none
])
_CHUNK = 4096
# metrics that are not fractions are logged but not returned
_NOT_RETURNED = ('num_frames', 'num_sequences', 'FPS', 'num_absent')


def strip_metric_prefix(metrics: Dict[str, Any],
                        prefix: Optional[str] = None) -> Dict[str, Any]:
    """Drop the ``prefix/`` MMEngine puts in front of metric names.

    ``{'sot/AO': 0.7, 'sot/SR0.5': 0.8}`` -> ``{'AO': 0.7, 'SR0.5': 0.8}``.
    With ``prefix=None`` everything up to the first ``/`` is dropped; keys
    without it are kept as they are. Numpy/torch scalars become floats.

    Raises:
        KeyError: if two keys collide after stripping.
    """
    out = {}
    for key, value in metrics.items():
        if prefix is None:
            new = key.split('/', 1)[1] if '/' in key else key
        elif key.startswith(prefix + '/'):
            new = key[len(prefix) + 1:]
        else:
            new = key
        if new in out:
            raise KeyError(f'metric {new!r} appears twice after removing '
                           f'the prefix from {list(metrics)}')
        if hasattr(value, 'item') and np.size(value) == 1:
            value = value.item()
        out[new] = value
    return out


def _get(obj, key, default=None):
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(key, default)
    if isinstance(obj, BaseDataElement):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _to_numpy(x) -> Optional[np.ndarray]:
    if x is None:
        return None
    if hasattr(x, 'detach'):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def _first_box_xywh(bboxes) -> Optional[np.ndarray]:
    """First ``xyxy`` box of a ``(K, 4)`` tensor/array as float64 xywh."""
    arr = _to_numpy(bboxes)
    if arr is None or arr.size == 0:
        return None
    b = arr.reshape(-1, 4)[0].astype(np.float64)
    return np.array([b[0], b[1], b[2] - b[0], b[3] - b[1]])


def _first_flag(value, default: int) -> int:
    arr = _to_numpy(value)
    if arr is None or arr.size == 0:
        return default
    return int(arr.reshape(-1)[0])


def _frames_str(frames, limit: int = 20) -> str:
    frames = [int(f) for f in frames]
    s = ', '.join(map(str, frames[:limit]))
    return s + (f', ... ({len(frames)} in all)'
                if len(frames) > limit else '')


@METRICS.register_module()
class SOTMetric(BaseMetric):
    """Single-object tracking metric over whole videos.

    Collects one compact record per frame, gathers all ranks (whatever the
    number of frames each rank tracked), checks that every video is complete
    and every frame present exactly once, then evaluates with the named
    protocol(s) of :mod:`mmtrack_ext.evaluation.functional` on rank 0.

    Args:
        protocol: a protocol name or a list of names: ``'got10k'`` (``AO``,
            ``SR0.5``, ``SR0.75``), the OPE protocols ``'ostrack'``,
            ``'pytracking'``, ``'otb'``, ``'uav'``, ``'lasot_matlab'``,
            ``'trackingnet'`` (``AUC``, ``P``, ``P_norm``...), and
            ``'presence'`` (the confidence against the target's presence:
            ``presence_AUC`` and the VOT long-term ``LT_F``, ``LT_Pr``,
            ``LT_Re``; needs per-frame scores); see
            ``docs/evaluation.md`` and, for what papers report per
            benchmark, :data:`~mmtrack_ext.evaluation.DEFAULT_PROTOCOLS`
            (VOT2020's anchor-based ``vot2020`` runs through
            ``tools/analysis_tools/run_vot2020.py`` instead).
        outfile_prefix: if set, results are written there in ``layout``
            (``x,y,w,h``, 4 decimals, one line per frame, plus the time file
            when the samples carry ``track_time``, the confidence file
            ``{video}_001_confidence.value`` when they carry
            ``pred_instances.scores`` and the absence file
            ``{video}_001_absence.label`` when they carry
            ``pred_instances.absent``), each video **as soon as
            all its frames have been processed** on one rank (what
            :class:`~mmtrack_ext.datasets.VideoSampler` gives), the others
            when the metric is evaluated. The metrics are then computed on
            the values as written (4 decimals), so evaluating the folder
            offline gives the same numbers.
        layout: result layout: ``'got10k'`` (``{video}/{video}_001.txt`` and
            ``{video}/{video}_time.txt``) or ``'pytracking'`` (``{video}.txt``
            and ``{video}_time.txt``); benchmark names are accepted as
            aliases (``'lasot'``, ``'otb'``, ``'uav'``, ``'nfs'``,
            ``'tnl2k'``, ``'trackingnet'``: the pytracking layout).
        format_only: only write the results (``outfile_prefix`` required);
            compute nothing (test sets without GT). Returns ``{}``.
        resumed_sequences: videos that were not tracked in this run because
            ``outfile_prefix`` already holds their complete results (see
            ``tools/test.py --skip-done``): their stored boxes (and times)
            are read back and evaluated with the others.
        resumed_dataset: config of the test dataset (all videos) to read the
            annotation of ``resumed_sequences`` from; required with them
            unless ``format_only``. Their GT boxes take the same float32
            round trip as boxes packed by the test pipeline, and the
            resolution comes from the dataset (``get_frame_shape``), so a
            resumed video scores exactly as a tracked one.
        protocol_options: per-protocol keyword options, e.g.
            ``{'ostrack': {'exclude_invalid_frames': True}}``.
        ope_target_visible: pass ``gt_instances.visible`` to the OPE
            protocols as pytracking's ``target_visible`` (its LaSOT mode:
            frames with an invisible target count as failures and the
            denominator stays all frames). Set it for LaSOT / LaSOT_ext,
            with ``protocol_options={'ostrack': {'dataset': 'lasot'}}``
            (LaSOT_ext: ``'lasot_extension_subset'``) as the defaults of
            :data:`~mmtrack_ext.evaluation.DEFAULT_PROTOCOLS` do.
        collect_device, collect_dir: kept for API compatibility with
            ``BaseMetric``; gathering uses ``mmengine.dist.all_gather_object``.
        prefix: metric name prefix added by MMEngine (``'sot/AO'``); see
            :func:`strip_metric_prefix`.

    Returned metrics are fractions in ``[0, 1]``. With several protocols
    reporting the same key (``ostrack`` and ``pytracking``), those keys
    become ``{protocol}_{key}``. The full per-sequence results of the last
    evaluation are kept in ``self.last_results`` (rank 0).

    Frame 0 is the initialisation frame: a missing prediction there is
    filled with the GT box (every protocol ignores or overwrites it); a
    missing prediction in any other frame is an error naming the video and
    frames. Note: boxes arrive as ``xyxy`` tensors, usually float32, so the
    ``xywh`` GT used here can differ from the annotation file by float32
    round-off; for bit-exact toolkit numbers evaluate the written files with
    the original annotation files.
    """
    default_prefix = 'sot'

    def __init__(self,
                 protocol: Union[str, Sequence[str]] = 'got10k',
                 outfile_prefix: Optional[str] = None,
                 format_only: bool = False,
                 protocol_options: Optional[Dict[str, dict]] = None,
                 ope_target_visible: bool = False,
                 layout: str = 'got10k',
                 resumed_sequences: Optional[Sequence[str]] = None,
                 resumed_dataset: Optional[dict] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = 'sot',
                 collect_dir: Optional[str] = None) -> None:
        super().__init__(
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir)
        protocols = [protocol] if isinstance(protocol, str) else list(
            protocol)
        if not protocols:
            raise ValueError('SOTMetric needs at least one protocol')
        for name in protocols:
            get_protocol(name)  # raises KeyError for unknown names
        self.protocols = protocols
        self.protocol_options = dict(protocol_options or {})
        unknown = set(self.protocol_options) - set(protocols)
        if unknown:
            raise ValueError(f'protocol_options for protocols not evaluated: '
                             f'{sorted(unknown)}')
        if format_only and not outfile_prefix:
            raise ValueError('format_only=True needs outfile_prefix')
        self.outfile_prefix = outfile_prefix
        self.format_only = format_only
        self.ope_target_visible = ope_target_visible
        self.layout = canonical_layout(layout)
        self.resumed_sequences = [str(n) for n in resumed_sequences or ()]
        if self.resumed_sequences:
            if not outfile_prefix:
                raise ValueError('resumed_sequences are read from '
                                 'outfile_prefix, which is not set')
            if resumed_dataset is None and not format_only:
                raise ValueError('resumed_sequences need resumed_dataset (the '
                                 'test dataset config) to read their '
                                 'ground truth')
        self.resumed_dataset = resumed_dataset
        self.last_results: Dict[str, dict] = {}
        self._reset_buffer()

    # ------------------------------------------------------------------
    # collection

    def _reset_buffer(self) -> None:
        self.results = []  # full chunks of _REC_DTYPE records
        self._chunk = np.zeros(_CHUNK, dtype=_REC_DTYPE)
        self._fill = 0
        self._names: List[str] = []
        self._name_idx: Dict[str, int] = {}
        # video index -> [position of its first record, frames seen]
        self._progress: Dict[int, List[int]] = {}
        self._written: List[str] = []

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Store one record per data sample (a dict of
        ``SOTDataSample.to_dict()`` or a ``SOTDataSample``)."""
        for sample in data_samples:
            if isinstance(sample, BaseDataElement):
                sample = sample.to_dict()
            name = sample.get('video_name')
            if name is None or sample.get('frame_id') is None:
                raise KeyError('SOTMetric needs video_name and frame_id in '
                               f'every data sample, got keys '
                               f'{sorted(sample)}')
            name = str(name)
            idx = self._name_idx.get(name)
            if idx is None:
                idx = self._name_idx[name] = len(self._names)
                self._names.append(name)
            pred_inst = sample.get('pred_instances')
            gt_inst = sample.get('gt_instances')
            pred = _first_box_xywh(_get(pred_inst, 'bboxes'))
            gt = _first_box_xywh(_get(gt_inst, 'bboxes'))
            scores = _to_numpy(_get(pred_inst, 'scores'))
            shape = sample.get('ori_shape')
            rec = self._chunk[self._fill]
            rec['video'] = idx
            vid = sample.get('video_id')
            rec['video_id'] = -1 if vid is None else int(vid)
            rec['frame_id'] = int(sample['frame_id'])
            length = sample.get('video_length')
            rec['video_length'] = -1 if length is None else int(length)
            rec['height'] = float(shape[0]) if shape is not None else np.nan
            rec['width'] = float(shape[1]) if shape is not None else np.nan
            rec['has_pred'] = pred is not None
            rec['pred'] = pred if pred is not None else np.nan
            rec['has_gt'] = gt is not None
            rec['gt'] = gt if gt is not None else np.nan
            rec['score'] = (
                float(scores.reshape(-1)[0])
                if scores is not None and scores.size else np.nan)
            t = sample.get('track_time')
            rec['time'] = np.nan if t is None else float(t)

            def flag(key, default):
                value = _get(gt_inst, key)
                if value is None:
                    value = sample.get(key)
                return _first_flag(value, default)

            rec['visible'] = flag('visible', -1)
            rec['absent'] = flag('absent', -1)
            rec['cover'] = flag('cover', -1)
            rec['pred_absent'] = _first_flag(_get(pred_inst, 'absent'), -1)
            position = len(self.results) * _CHUNK + self._fill
            self._fill += 1
            if self._fill == _CHUNK:
                self.results.append(self._chunk)
                self._chunk = np.zeros(_CHUNK, dtype=_REC_DTYPE)
                self._fill = 0
            progress = self._progress.setdefault(idx, [position, 0])
            progress[1] += 1
            if (self.outfile_prefix and length is not None
                    and progress[1] == int(length)):
                del self._progress[idx]
                self._write_if_complete(idx, progress[0], int(length))

    def _records_from(self, position: int) -> np.ndarray:
        """This rank's records from global record ``position`` on."""
        first = position // _CHUNK
        chunks = self.results[first:] + [self._chunk[:self._fill]]
        return np.concatenate(chunks)[position - first * _CHUNK:]

    def _write_if_complete(self, idx: int, position: int,
                           length: int) -> None:
        """Write a video whose ``length`` frames all reached this rank."""
        recs = self._records_from(position)
        recs = recs[recs['video'] == idx]
        recs = recs[np.argsort(recs['frame_id'], kind='stable')]
        name = self._names[idx]
        video, problems, missing_pred = self._check_video(name, recs)
        if video is None or problems or missing_pred:
            return  # reported when the metric is evaluated
        self._write_video(name, video)
        self._written.append(name)

    def _export(self) -> dict:
        chunks = self.results + [self._chunk[:self._fill]]
        return {
            'names': list(self._names),
            'records': np.concatenate(chunks) if chunks else np.zeros(
                0, _REC_DTYPE),
            'written': list(self._written),
        }

    # ------------------------------------------------------------------
    # evaluation

    def evaluate(self, size: int) -> dict:
        """Gather every rank's frames, check and evaluate on rank 0.

        Unlike ``BaseMetric.evaluate`` this does not use ``collect_results``
        (which interleaves ranks and truncates to ``size``, wrong when ranks
        hold different numbers of frames). ``size`` is only compared with
        the number of frames gathered (a warning if they differ).
        """
        gathered = all_gather_object(self._export())
        metrics, error, exc = None, None, None
        if is_main_process():
            try:
                n = sum(len(p['records']) for p in gathered)
                if size is not None and size > 0 and n != size:
                    print_log(
                        f'SOTMetric: gathered {n} frames, the dataset has '
                        f'{size}', logger='current', level=logging.WARNING)
                metrics = self.compute_metrics(gathered)
                if self.prefix:
                    metrics = {
                        '/'.join((self.prefix, k)): v
                        for k, v in metrics.items()
                    }
            except Exception as e:  # shared with the other ranks below
                exc = e
                error = f'{type(e).__name__}: {e}'
        obj = [(metrics, error)]
        broadcast_object_list(obj)
        self._reset_buffer()
        metrics, error = obj[0]
        if exc is not None:
            raise exc
        if error is not None:
            raise RuntimeError(f'SOTMetric failed on rank 0: {error}')
        return metrics

    def compute_metrics(self, results: list) -> dict:
        """Evaluate ``results``: the gathered ``{'names', 'records'[,
        'written']}`` of all ranks. Returns the flat metric dict (no
        prefix)."""
        videos = self._merge(results, allow_empty=bool(
            self.resumed_sequences))
        if self.outfile_prefix:
            written = {n for p in results for n in p.get('written', ())}
            self._write(
                {k: v for k, v in videos.items() if k not in written},
                already=len(written))
        if self.format_only:
            print_log(
                f'SOTMetric: results of {len(videos)} videos written to '
                f'{self.outfile_prefix} (format_only, nothing computed)' +
                (f'; {len(self.resumed_sequences)} videos were already there'
                 if self.resumed_sequences else ''),
                logger='current')
            return {}
        if self.outfile_prefix:  # score what the files hold
            for v in videos.values():
                v['pred'] = as_written(v['pred'])
                v['time'] = as_written(v['time'], TIME_DECIMALS)
                v['score'] = as_written(v['score'], SCORE_DECIMALS)
        if self.resumed_sequences:
            videos = self._add_resumed(videos)
        no_gt = {
            name: np.nonzero(~v['has_gt'])[0]
            for name, v in videos.items() if not v['has_gt'].all()
        }
        if no_gt:
            raise ValueError(
                'SOTMetric: frames without ground truth (use '
                'format_only=True for test sets): ' + '; '.join(
                    f'{n!r} frames [{_frames_str(f)}]'
                    for n, f in list(no_gt.items())[:10]))
        self._warn_non_finite(videos)
        return self._evaluate_videos(videos)

    def _merge(self, results: list,
               allow_empty: bool = False) -> Dict[str, dict]:
        """Merge the ranks' records by (video, frame) and check completeness.

        Returns ``{video_name: per-video arrays}`` ordered by video id.
        """
        names: List[str] = []
        name_idx: Dict[str, int] = {}
        parts = []
        for payload in results:
            recs = payload['records']
            if len(recs) == 0:
                continue
            remap = np.empty(len(payload['names']), dtype=np.int64)
            for i, n in enumerate(payload['names']):
                if n not in name_idx:
                    name_idx[n] = len(names)
                    names.append(n)
                remap[i] = name_idx[n]
            recs = recs.copy()
            recs['video'] = remap[recs['video']]
            parts.append(recs)
        if not parts:
            if allow_empty:
                return {}
            raise ValueError('SOTMetric received no frames to evaluate')
        recs = np.concatenate(parts)
        order = np.lexsort((recs['frame_id'], recs['video']))
        recs = recs[order]
        starts = np.flatnonzero(np.diff(recs['video'], prepend=-1))
        ends = np.append(starts[1:], len(recs))

        problems, missing_pred = [], []
        videos = {}
        for s, e in zip(starts, ends):
            r = recs[s:e]
            name = names[int(r['video'][0])]
            video, video_problems, video_missing = self._check_video(name, r)
            problems += video_problems
            if video_missing:
                missing_pred.append(video_missing)
            if video is not None and not video_problems and not video_missing:
                videos[name] = video
        if problems or missing_pred:
            msg = []
            if problems:
                msg.append('incomplete or inconsistent videos: ' +
                           '; '.join(problems[:20]) +
                           (f'; ... ({len(problems)} in all)'
                            if len(problems) > 20 else ''))
            if missing_pred:
                msg.append('frames without a prediction: ' +
                           '; '.join(missing_pred[:20]))
            raise ValueError('SOTMetric: ' + ' | '.join(msg))
        return dict(
            sorted(videos.items(), key=lambda kv: (kv[1]['video_id'], kv[0])))

    @staticmethod
    def _check_video(name: str, r: np.ndarray):
        """Per-video arrays of one video's records ``r`` (sorted by frame).

        Returns:
            tuple: ``(video dict or None, [problems], missing-prediction
            message or None)``.
        """
        frames = r['frame_id']
        lengths = np.unique(r['video_length'])
        if len(lengths) > 1:
            return None, [f'video {name!r}: inconsistent video_length '
                          f'{lengths.tolist()}'], None
        length = int(lengths[0])
        if length < 0:
            length = int(frames.max()) + 1
        problems = []
        dup = np.unique(frames[1:][frames[1:] == frames[:-1]])
        missing = np.setdiff1d(np.arange(length), frames)
        extra = frames[(frames < 0) | (frames >= length)]
        if len(dup):
            problems.append(f'video {name!r}: frame ids present more than '
                            f'once: [{_frames_str(dup)}]')
        if len(missing):
            problems.append(
                f'video {name!r}: missing frame ids '
                f'[{_frames_str(missing)}] of {length} frames (not '
                'tracked, or not gathered)')
        if len(extra):
            problems.append(f'video {name!r}: frame ids outside '
                            f'[0, {length}): [{_frames_str(extra)}]')
        if problems:
            return None, problems, None
        has_pred = r['has_pred'].copy()
        pred = r['pred'].copy()
        score = r['score'].copy()
        pred_absent = r['pred_absent'].astype(np.int64)
        if not has_pred[0] and r['has_gt'][0]:
            pred[0] = r['gt'][0]  # initialisation frame
            has_pred[0] = True
        if np.isnan(score[0]):
            score[0] = 1.0  # the initialisation box is certain
        if pred_absent[0] < 0:
            pred_absent[0] = 0
        if not has_pred.all():
            missing = np.flatnonzero(~has_pred)
            return None, [], f'video {name!r} frames [{_frames_str(missing)}]'
        h, w = r['height'][0], r['width'][0]
        return dict(
            video_id=int(r['video_id'][0]),
            pred=pred,
            gt=r['gt'].copy(),
            has_gt=r['has_gt'].copy(),
            time=r['time'].copy(),
            score=score,
            pred_absent=pred_absent,
            visible=r['visible'].astype(np.int64),
            absent=r['absent'].astype(np.int64),
            cover=r['cover'].astype(np.int64),
            resolution=None if np.isnan(h) or np.isnan(w) else (w, h)), [], \
            None

    def _write_video(self, name: str, video: dict) -> None:
        times = video['time'] if np.isfinite(video['time']).any() else None
        scores = (video['score']
                  if np.isfinite(video['score']).all() else None)
        absent = (video['pred_absent']
                  if (video['pred_absent'] >= 0).all() else None)
        write_sequence_results(self.outfile_prefix, name, video['pred'],
                               times=times, layout=self.layout,
                               scores=scores, absent=absent)

    def _write(self, videos: Dict[str, dict], already: int = 0) -> None:
        for name, v in videos.items():
            self._write_video(name, v)
        print_log(
            f'SOTMetric: wrote results of {len(videos)} videos to '
            f'{osp.abspath(self.outfile_prefix)} ({self.layout} layout)' +
            (f'; {already} more were written as they completed'
             if already else ''),
            logger='current')

    def _add_resumed(self, videos: Dict[str, dict]) -> Dict[str, dict]:
        """Add the stored results of :attr:`resumed_sequences` to the
        tracked ``videos``; order everything as the dataset does."""
        from mmtrack_ext.registry import DATASETS
        cfg = dict(self.resumed_dataset)
        cfg.update(test_mode=True, pipeline=[])
        dataset = DATASETS.build(cfg)
        order = {n: i for i, n in enumerate(dataset.video_names)}
        both = sorted(set(videos) & set(self.resumed_sequences))
        if both:
            raise ValueError(f'SOTMetric: videos both tracked and resumed: '
                             f'{both[:20]}')
        unknown = [n for n in self.resumed_sequences if n not in order]
        if unknown:
            raise ValueError(f'SOTMetric: resumed videos not in the dataset: '
                             f'{unknown[:20]}')
        out = dict(videos)
        for name in self.resumed_sequences:
            out[name] = self._read_resumed(dataset, order[name], name)
        print_log(
            f'SOTMetric: {len(self.resumed_sequences)} videos read back from '
            f'{osp.abspath(self.outfile_prefix)}, {len(videos)} tracked',
            logger='current')
        last = len(order)
        return dict(
            sorted(out.items(),
                   key=lambda kv: (order.get(kv[0], last), kv[0])))

    def _read_resumed(self, dataset, idx: int, name: str) -> dict:
        n = dataset.get_video_length(idx)
        path = result_path(self.outfile_prefix, name, self.layout)
        pred = read_results(path)
        if len(pred) != n:
            raise ValueError(f'SOTMetric: {path} has {len(pred)} boxes for '
                             f'the {n} frames of {name!r} (changed since the '
                             'run started?)')
        tpath = time_path(self.outfile_prefix, name, self.layout)
        times = np.full(n, np.nan)
        if osp.isfile(tpath):
            stored = read_times(tpath)
            if len(stored) != n:
                raise ValueError(f'SOTMetric: {tpath} has {len(stored)} '
                                 f'times for the {n} frames of {name!r}')
            times = stored
        scores = np.full(n, np.nan)
        cpath = confidence_path(self.outfile_prefix, name, self.layout)
        if osp.isfile(cpath):
            scores = self._read_per_frame(read_confidences, cpath, n, name)
        pred_absent = np.full(n, -1, np.int64)
        apath = absence_path(self.outfile_prefix, name, self.layout)
        if osp.isfile(apath):
            pred_absent = self._read_per_frame(read_absence, apath, n, name)
        ann = dataset.get_annotation(idx)
        # the float32 round trip of boxes packed by PackSOTInputs
        b = np.asarray(ann['bboxes'], np.float32).astype(np.float64)
        gt = np.stack(
            [b[:, 0], b[:, 1], b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], 1)
        height, width = dataset.get_frame_shape(idx)
        return dict(
            video_id=idx,
            pred=pred,
            gt=gt,
            has_gt=np.ones(n, bool),
            time=times,
            score=scores,
            pred_absent=pred_absent,
            visible=np.asarray(ann['visible']).astype(np.int64),
            absent=np.asarray(ann['absent']).astype(np.int64),
            cover=np.asarray(ann['cover']).astype(np.int64),
            resolution=(float(width), float(height)))

    @staticmethod
    def _read_per_frame(reader, path: str, n: int, name: str) -> np.ndarray:
        values = reader(path)
        if len(values) != n:
            raise ValueError(f'SOTMetric: {path} has {len(values)} values '
                             f'for the {n} frames of {name!r}')
        return values

    @staticmethod
    def _warn_non_finite(videos: Dict[str, dict]) -> None:
        bad = []
        for name, v in videos.items():
            idx = np.flatnonzero(~np.isfinite(v['pred']).all(1))
            if len(idx):
                bad.append(f'{name!r} frames [{_frames_str(idx)}]')
        if bad:
            print_log(
                'SOTMetric: non-finite predicted boxes (got10k: AO becomes '
                'NaN; OPE protocols refuse them): ' + '; '.join(bad[:20]),
                logger='current',
                level=logging.WARNING)

    def _sequences_for(self, protocol: str,
                       videos: Dict[str, dict]) -> Dict[str, dict]:
        seqs = {}
        for name, v in videos.items():
            seq = dict(pred=v['pred'], gt=v['gt'])
            if protocol == 'got10k':
                seq.update(
                    cover=v['cover'],
                    absent=v['absent'],
                    resolution=v['resolution'])
                if np.isfinite(v['time']).any():
                    seq['times'] = v['time']
            elif protocol == 'presence':
                seq.update(
                    score=v['score'],
                    cover=v['cover'],
                    absent=v['absent'],
                    target_visible=v['visible'] != 0,
                    resolution=v['resolution'])
            elif self.ope_target_visible:
                seq['target_visible'] = v['visible'] != 0
            seqs[name] = seq
        return seqs

    def _evaluate_videos(self, videos: Dict[str, dict]) -> dict:
        from terminaltables import AsciiTable
        self.last_results = {}
        per_protocol = {}
        for protocol in self.protocols:
            spec = get_protocol(protocol)
            res = spec(
                self._sequences_for(protocol, videos),
                **self.protocol_options.get(protocol, {}))
            self.last_results[protocol] = res
            per_protocol[protocol] = res['overall']
            keys = list(spec.metric_keys) + [
                k for k in res['overall']
                if k not in spec.metric_keys and k not in _NOT_RETURNED
            ]
            rows = [['protocol', 'videos'] + [f'{k} (%)' for k in keys],
                    [protocol, str(len(videos))] +
                    [f"{100 * res['overall'][k]:.2f}" for k in keys]]
            if 'FPS' in res['overall']:
                rows[0].append('FPS')
                rows[1].append(f"{res['overall']['FPS']:.1f}")
            table = AsciiTable(rows)
            print_log('\n' + table.table, logger='current')

        seen: Dict[str, int] = {}
        for overall in per_protocol.values():
            for k in overall:
                if k not in _NOT_RETURNED:
                    seen[k] = seen.get(k, 0) + 1
        metrics = {}
        for protocol, overall in per_protocol.items():
            for k, v in overall.items():
                if k in _NOT_RETURNED:
                    continue
                key = k if seen[k] == 1 else f'{protocol}_{k}'
                metrics[key] = float(v)
        return metrics
