"""Base class of SOT video datasets: one info entry per video."""
import os.path as osp
from collections import OrderedDict
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from mmengine.dataset import BaseDataset, Compose

from mmtrack_ext.registry import TRANSFORMS
from mmtrack_ext.structures import xyxy_to_xywh
from .errors import AnnotationError

__all__ = ['BaseSOTDataset']


class BaseSOTDataset(BaseDataset):
    """A collection of single-object tracking videos.

    Follows mmtracking's design: ``load_data_list`` returns **one info entry
    per video** (cheap: names, paths, lengths); the per-frame annotation of a
    video is parsed **lazily** by :meth:`parse_annotation` the first time it
    is needed and kept in a per-process LRU cache.

    Video info entries (``load_data_list`` of subclasses) have the keys

    - ``video_name`` (str), ``video_length`` (int, number of frames),
    - either ``frame_dir`` + ``frame_template`` (``%``-format of the 1-based
      or 0-based frame number, e.g. ``'%08d.jpg'``) + ``frame_start`` (number
      of the first frame), or ``frame_paths`` (list of paths, one per frame),
    - whatever :meth:`parse_annotation` needs (annotation file paths ...),
      and optionally ``resolution`` ``(W, H)``.

    Indexing:

    - ``test_mode=True``: one item per **frame**; ``len(dataset)`` is the
      total number of frames, index ``idx`` maps to ``(video, frame)`` in
      order (video 0 frames 0..n-1, then video 1 ...), see :meth:`locate`.
      ``dataset[idx]`` is the pipeline applied to a results dict with
      ``frames=[dict(img_path, bbox, visible, frame_id, role='frame')]``,
      ``video_name``, ``video_id``, ``video_length``, ``absent``, ``cover``
      (the contract of ``docs/contracts.md``).
    - ``test_mode=False``: a video source for
      :class:`~mmtrack_ext.datasets.SOTPairDataset`; ``len(dataset)`` is the
      number of videos and items are not accessed directly.

    Args:
        data_root: root folder of the benchmark.
        pipeline: transforms (configs of ``mmtrack_ext`` TRANSFORMS or
            callables) applied in test mode.
        test_mode: frame-level indexing for evaluation (see above).
        metainfo: extra meta information (merged over ``METAINFO``).
        indices: keep only these videos (int ``n``: the first ``n``).
        serialize_data: keep the video infos serialised (shared by workers).
        lazy_init: defer :meth:`full_init` (loading the video list).
        ann_cache_size: number of parsed video annotations cached per
            process (``0`` disables the cache).
    """

    METAINFO: dict = dict(dataset_name='SOT')

    def __init__(self,
                 data_root: str = '',
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 test_mode: bool = False,
                 metainfo: Optional[dict] = None,
                 indices: Optional[Union[int, Sequence[int]]] = None,
                 serialize_data: bool = True,
                 lazy_init: bool = False,
                 ann_cache_size: int = 1024):
        self.ann_cache_size = int(ann_cache_size)
        self._ann_cache: 'OrderedDict[int, dict]' = OrderedDict()
        self._video_lengths = np.zeros(0, dtype=np.int64)
        self._frame_offsets = np.zeros(1, dtype=np.int64)
        super().__init__(
            ann_file='',
            metainfo=metainfo,
            data_root=data_root,
            data_prefix=dict(),
            indices=indices,
            serialize_data=serialize_data,
            pipeline=[],
            test_mode=test_mode,
            lazy_init=lazy_init)
        self.pipeline = Compose([
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in pipeline
        ])

    # ------------------------------------------------------------------
    # to implement by benchmarks
    def load_data_list(self) -> List[dict]:
        """Video info entries (see the class docstring). Structural problems
        (missing list file / sequence folder / frames, empty sequence) are
        raised here."""
        raise NotImplementedError

    def parse_annotation(self, video_info: dict) -> dict:
        """Parse the annotation of one video (called lazily, then cached).

        Args:
            video_info: the video's info entry.

        Returns:
            dict: ``bboxes`` ``(N, 4)`` float ``xyxy`` frame pixels (``nan``
            where unknown), ``visible`` ``(N,)`` bool, and optionally
            ``absent`` / ``cover`` ``(N,)`` int (``-1`` unknown) and
            ``resolution`` ``(W, H)``. ``N`` must equal ``video_length``.
            Any other key is kept as benchmark-specific annotation: numpy
            arrays are per-frame (first dimension ``N``, e.g. LaSOT's
            ``target_visible``), other values per video (e.g. a
            ``language`` description).
        """
        raise NotImplementedError

    # ------------------------------------------------------------------
    # initialisation
    def full_init(self) -> None:
        """Load the video list and build the frame index (once).

        Unlike ``BaseDataset.full_init`` this never calls ``len(self)`` (the
        length depends on the frame index built here).
        """
        if self._fully_initialized:
            return
        self.data_list = self.load_data_list()
        self.data_list = self.filter_data()
        if self._indices is not None:
            self.data_list = self._select_videos(self.data_list,
                                                 self._indices)
        self._build_frame_index(self.data_list)
        if self.serialize_data:
            self.data_bytes, self.data_address = self._serialize_data()
        self._fully_initialized = True

    @staticmethod
    def _select_videos(data_list: List[dict],
                       indices: Union[int, Sequence[int]]) -> List[dict]:
        if isinstance(indices, int):
            return data_list[:indices] if indices >= 0 else \
                data_list[indices:]
        return [data_list[i] for i in indices]

    def _build_frame_index(self, data_list: List[dict]) -> None:
        lengths = np.array([int(info['video_length']) for info in data_list],
                           dtype=np.int64)
        bad = np.flatnonzero(lengths <= 0)
        if bad.size:
            raise AnnotationError(
                f'{type(self).__name__}: video '
                f'{data_list[bad[0]]["video_name"]!r} has no frames')
        self._video_lengths = lengths
        self._frame_offsets = np.concatenate(
            [np.zeros(1, dtype=np.int64), np.cumsum(lengths)])

    def get_subset_(self, indices):
        raise NotImplementedError(
            f'{type(self).__name__}: select videos with the `indices` '
            'argument instead of get_subset_')

    def get_subset(self, indices):
        raise NotImplementedError(
            f'{type(self).__name__}: select videos with the `indices` '
            'argument instead of get_subset')

    def _ensure_init(self) -> None:
        if not self._fully_initialized:
            self.full_init()

    # ------------------------------------------------------------------
    # videos
    @property
    def num_videos(self) -> int:
        """Number of videos."""
        self._ensure_init()
        return int(self._video_lengths.shape[0])

    @property
    def video_lengths(self) -> np.ndarray:
        """``(num_videos,)`` int64 number of frames of every video."""
        self._ensure_init()
        return self._video_lengths.copy()

    @property
    def num_frames(self) -> int:
        """Total number of frames over all videos."""
        self._ensure_init()
        return int(self._frame_offsets[-1])

    def get_video_info(self, video_idx: int) -> dict:
        """The info entry of a video (a copy)."""
        self._ensure_init()
        info = BaseDataset.get_data_info(self, int(video_idx))
        info.pop('sample_idx', None)
        return info

    def get_video_name(self, video_idx: int) -> str:
        return self.get_video_info(video_idx)['video_name']

    @property
    def video_names(self) -> List[str]:
        """Names of all videos, in index order (e.g. to check that training
        and test sets do not overlap)."""
        self._ensure_init()
        return [self.get_video_name(i) for i in range(self.num_videos)]

    def get_video_length(self, video_idx: int) -> int:
        self._ensure_init()
        return int(self._video_lengths[video_idx])

    def get_len_per_video(self) -> List[int]:
        """Frame counts of all videos (mmtracking name of
        :attr:`video_lengths`)."""
        return self.video_lengths.tolist()

    def get_frame_path(self, video_idx: int, frame_idx: int) -> str:
        """Path of frame ``frame_idx`` (0-based) of a video."""
        info = self.get_video_info(video_idx)
        return self._frame_path(info, frame_idx)

    @staticmethod
    def _frame_path(info: dict, frame_idx: int) -> str:
        if not 0 <= frame_idx < info['video_length']:
            raise IndexError(
                f'frame {frame_idx} out of range for video '
                f'{info["video_name"]!r} of {info["video_length"]} frames')
        if 'frame_paths' in info:
            return info['frame_paths'][frame_idx]
        return osp.join(
            info['frame_dir'],
            info['frame_template'] % (info.get('frame_start', 0) + frame_idx))

    # ------------------------------------------------------------------
    # annotations
    def get_annotation(self, video_idx: int) -> Dict[str, np.ndarray]:
        """Per-frame annotation of a video (lazily parsed, LRU-cached).

        Returns:
            dict: ``bboxes`` ``(N, 4)`` float64 ``xyxy`` in frame pixels
            (``nan`` where unknown), ``bboxes_xywh`` the same boxes as
            the annotation file writes them (float64 ``xywh``, for metrics
            that must see the exact values), ``visible`` ``(N,)`` bool,
            ``absent``
            ``(N,)`` int64 and ``cover`` ``(N,)`` int64 (``-1`` unknown),
            ``resolution`` ``(W, H)`` or ``None``, plus the benchmark's own
            keys (see :meth:`parse_annotation`). Treat as read-only.
        """
        video_idx = int(video_idx)
        ann = self._ann_cache.get(video_idx)
        if ann is not None:
            self._ann_cache.move_to_end(video_idx)
            return ann
        info = self.get_video_info(video_idx)
        ann = self._check_annotation(info, self.parse_annotation(info))
        if self.ann_cache_size > 0:
            self._ann_cache[video_idx] = ann
            while len(self._ann_cache) > self.ann_cache_size:
                self._ann_cache.popitem(last=False)
        return ann

    @staticmethod
    def _check_annotation(info: dict, ann: dict) -> dict:
        n = int(info['video_length'])
        name = info['video_name']
        bboxes = np.asarray(ann['bboxes'], dtype=np.float64).reshape(-1, 4)
        out = dict(bboxes=bboxes)
        xywh = ann.get('bboxes_xywh')
        out['bboxes_xywh'] = (xyxy_to_xywh(bboxes) if xywh is None else
                              np.asarray(xywh, np.float64).reshape(-1, 4))
        for key, dtype in (('visible', bool), ('absent', np.int64),
                           ('cover', np.int64)):
            value = ann.get(key)
            if value is None:
                value = np.full(n, -1, dtype=dtype) if key != 'visible' \
                    else np.isfinite(bboxes).all(1)
            out[key] = np.asarray(value, dtype=dtype).reshape(-1)
        for key in ('bboxes', 'bboxes_xywh', 'visible', 'absent', 'cover'):
            if out[key].shape[0] != n:
                raise AnnotationError(
                    f'video {name!r}: {key} has {out[key].shape[0]} entries '
                    f'but the video has {n} frames')
        out['resolution'] = ann.get('resolution')
        for key, value in ann.items():
            if key in out:
                continue
            if isinstance(value, np.ndarray):
                if value.ndim == 0 or value.shape[0] != n:
                    raise AnnotationError(
                        f'video {name!r}: {key} has '
                        f'{value.shape[0] if value.ndim else 0} entries but '
                        f'the video has {n} frames')
                value = value.copy()
            out[key] = value
        for value in out.values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        return out

    def get_resolution(self, video_idx: int) -> Optional[Tuple[int, int]]:
        """``(W, H)`` of a video's frames when the annotation gives it."""
        res = self.get_video_info(video_idx).get('resolution')
        if res is None:
            res = self.get_annotation(video_idx).get('resolution')
        return None if res is None else (int(res[0]), int(res[1]))

    def get_frame_shape(self, video_idx: int) -> Tuple[int, int]:
        """``(H, W)`` of a video's frames (reads the first frame when the
        annotation does not give the resolution)."""
        res = self.get_resolution(video_idx)
        if res is not None:
            return res[1], res[0]
        path = self.get_frame_path(video_idx, 0)
        img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        if img is None:
            raise FileNotFoundError(f'cannot read frame {path}')
        return int(img.shape[0]), int(img.shape[1])

    # ------------------------------------------------------------------
    # frame-level indexing (test mode)
    def locate(self, idx: int) -> Tuple[int, int]:
        """``(video_idx, frame_idx)`` of a global frame index."""
        self._ensure_init()
        total = int(self._frame_offsets[-1])
        if idx < 0:
            idx += total
        if not 0 <= idx < total:
            raise IndexError(f'frame index {idx} out of range [0, {total})')
        video = int(np.searchsorted(self._frame_offsets, idx, 'right')) - 1
        return video, int(idx - self._frame_offsets[video])

    def frame_index(self, video_idx: int, frame_idx: int) -> int:
        """Global frame index of ``(video_idx, frame_idx)``."""
        self._ensure_init()
        return int(self._frame_offsets[video_idx]) + int(frame_idx)

    def get_frame_results(self, video_idx: int, frame_idx: int) -> dict:
        """The test-mode results dict of one frame, before the pipeline."""
        info = self.get_video_info(video_idx)
        ann = self.get_annotation(video_idx)
        frame = dict(
            img_path=self._frame_path(info, frame_idx),
            bbox=ann['bboxes'][frame_idx].copy(),
            visible=bool(ann['visible'][frame_idx]),
            frame_id=int(frame_idx),
            role='frame')
        return dict(
            frames=[frame],
            video_name=info['video_name'],
            video_id=int(video_idx),
            video_length=int(info['video_length']),
            absent=int(ann['absent'][frame_idx]),
            cover=int(ann['cover'][frame_idx]))

    def prepare_data(self, idx: int):
        if not self.test_mode:
            raise TypeError(
                f'{type(self).__name__} with test_mode=False is a video '
                'source; wrap it in SOTPairDataset for training samples')
        return self.pipeline(self.get_frame_results(*self.locate(idx)))

    def __getitem__(self, idx: int):
        self._ensure_init()
        return self.prepare_data(int(idx))

    def __len__(self) -> int:
        """Frames in test mode, videos otherwise."""
        self._ensure_init()
        return self.num_frames if self.test_mode else self.num_videos

    def get_data_info(self, idx: int) -> dict:
        """Test mode: the results dict of frame ``idx``; otherwise the info
        entry of video ``idx``."""
        if self.test_mode:
            return self.get_frame_results(*self.locate(idx))
        return self.get_video_info(idx)
