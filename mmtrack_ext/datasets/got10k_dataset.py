"""GOT-10k and every dataset in its layout (e.g. the synthetic one)."""
import os.path as osp
import re
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from mmtrack_ext.registry import DATASETS
from mmtrack_ext.structures import box_is_valid, xywh_to_xyxy
from .base_sot_dataset import BaseSOTDataset
from .benchmark_meta import read_meta_names
from .errors import AnnotationError
from .frame_files import count_numbered_frames, open_sequence_folder
from .parsing import (load_label_file, load_number_table, names_from_spec,
                      read_name_list, read_text_lines)

__all__ = ['GOT10kDataset']

_FRAME_RE = re.compile(r'^(\d{8})\.jpg$')
_RESOLUTION_RE = re.compile(r'^\s*\(?\s*(\d+)\s*,\s*(\d+)\s*\)?\s*$')


@DATASETS.register_module()
class GOT10kDataset(BaseSOTDataset):
    """GOT-10k on-disk layout::

        {data_root}/{split}/list.txt            sequence names, one a line
        {data_root}/{split}/{name}/00000001.jpg frames, 1-based, 8 digits
                                  groundtruth.txt  x,y,w,h per frame (0-based
                                                   pixels; test split: only
                                                   the first frame)
                                  absence.label    1 = target absent (opt.)
                                  cover.label      0..8 visible ratio bins
                                                   (opt.)
                                  meta_info.ini    ``resolution: (W, H)``
                                                   (opt.)

    A frame is *visible* when its box is finite with positive size, and,
    where the labels exist, ``absence == 0`` and ``cover > 0``. Frames
    without a box (test split) get a ``nan`` box, ``visible=False`` and
    ``absent = cover = -1``. The project's synthetic sequences use the same
    layout, so this class reads them as well.

    Errors: a missing split folder / list file / sequence folder /
    ``groundtruth.txt`` / frame, or a sequence without frames raise while
    the dataset is built; malformed lines and label counts that differ from
    the frame count raise when the video's annotation is first parsed; each
    message names the file (and line).

    Args:
        data_root: folder holding ``train/``, ``val/`` and/or ``test/``.
        split: sub-folder to read.
        sequence_list: use these sequences instead of ``list.txt``: a list
            of names, or a text file with one name a line (relative paths
            are taken from ``data_root``), e.g. the ``vot-train`` split.
        exclude_sequences: drop these sequences (list or file as above).
        vot_exclude: drop the training sequences that the VOT challenges
            forbid for training (the 1000 names of pytracking's
            ``got10k_vot_exclude.txt``, shipped as
            ``mmtrack_ext/datasets/meta/got10k_vot_exclude.txt``); only for
            ``split='train'``. Combines with ``exclude_sequences``.
        **kwargs: see :class:`BaseSOTDataset` (``pipeline``, ``test_mode``,
            ``indices``, ``ann_cache_size`` ...).
    """

    METAINFO = dict(dataset_name='GOT-10k')

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 sequence_list: Optional[Union[str, Sequence[str]]] = None,
                 exclude_sequences: Optional[Union[str,
                                                   Sequence[str]]] = None,
                 vot_exclude: bool = False,
                 **kwargs):
        if vot_exclude and split != 'train':
            raise ValueError(
                'GOT10kDataset: vot_exclude removes training sequences; it '
                f'needs split="train", got split={split!r}')
        self.split = split
        self.sequence_list = sequence_list
        self.exclude_sequences = exclude_sequences
        self.vot_exclude = bool(vot_exclude)
        super().__init__(data_root=data_root, **kwargs)
        self._metainfo.setdefault('split', split)

    # ------------------------------------------------------------------
    # structure (built eagerly)
    def load_data_list(self) -> List[dict]:
        split_dir = osp.join(self.data_root, self.split)
        if not osp.isdir(split_dir):
            raise FileNotFoundError(
                f'GOT-10k split folder not found: {split_dir} (data_root='
                f'{self.data_root!r}, split={self.split!r})')
        if self.sequence_list is not None:
            source, names = names_from_spec(self.sequence_list,
                                            self.data_root)
        else:
            source = osp.join(split_dir, 'list.txt')
            names = read_name_list(source)
        excluded = set()
        if self.exclude_sequences is not None:
            excluded.update(n for _, n in names_from_spec(
                self.exclude_sequences, self.data_root,
                'exclude_sequences')[1])
        if self.vot_exclude:
            excluded.update(
                n for _, n in read_meta_names('got10k_vot_exclude.txt'))
        if excluded:
            names = [(ln, n) for ln, n in names if n not in excluded]
        if not names:
            raise AnnotationError(f'{source}: no sequences listed')
        return [self._video_info(split_dir, source, ln, name)
                for ln, name in names]

    def _video_info(self, split_dir: str, source: str, line: int,
                    name: str) -> dict:
        seq_dir = osp.join(split_dir, name)
        files, ann_file = open_sequence_folder(seq_dir,
                                               f'{source}, line {line}')
        num_frames = count_numbered_frames(
            seq_dir, _FRAME_RE, '%08d.jpg', names=files)

        def optional(fn):
            return osp.join(seq_dir, fn) if fn in files else None

        return dict(
            video_name=name,
            video_length=num_frames,
            frame_dir=seq_dir,
            frame_template='%08d.jpg',
            frame_start=1,
            ann_file=ann_file,
            absence_file=optional('absence.label'),
            cover_file=optional('cover.label'),
            meta_file=optional('meta_info.ini'))

    # ------------------------------------------------------------------
    # annotation (parsed lazily)
    def parse_annotation(self, video_info: dict) -> dict:
        n = video_info['video_length']
        ann_file = video_info['ann_file']
        xywh = load_number_table(ann_file, 4)
        if xywh.shape[0] != n:
            if xywh.shape[0] == 1 and self.split == 'test':
                xywh = np.concatenate(
                    [xywh, np.full((n - 1, 4), np.nan)], axis=0)
            else:
                raise AnnotationError(
                    f'{ann_file}: {xywh.shape[0]} boxes but the sequence has '
                    f'{n} frames')
        bboxes = xywh_to_xyxy(xywh)  # float64: metrics need the file values
        visible = box_is_valid(bboxes)
        absent = cover = None
        if video_info.get('absence_file'):
            absent = self._labels(video_info['absence_file'], n, 0, 1)
            visible &= absent == 0
        if video_info.get('cover_file'):
            cover = self._labels(video_info['cover_file'], n, 0, 8)
            visible &= cover > 0
        return dict(
            bboxes=bboxes,
            bboxes_xywh=xywh,
            visible=visible,
            absent=absent,
            cover=cover,
            resolution=self._resolution(video_info.get('meta_file')))

    @staticmethod
    def _labels(path: str, n: int, lo: int, hi: int) -> np.ndarray:
        labels = load_label_file(path, lo, hi)
        if labels.shape[0] != n:
            raise AnnotationError(
                f'{path}: {labels.shape[0]} labels but the sequence has {n} '
                'frames')
        return labels

    @staticmethod
    def _resolution(path: Optional[str]) -> Optional[Tuple[int, int]]:
        """``(W, H)`` from ``meta_info.ini`` (``None`` when absent)."""
        if path is None:
            return None
        for ln, line in enumerate(read_text_lines(path), 1):
            key, sep, value = line.partition(':')
            if sep and key.strip().lower() == 'resolution':
                m = _RESOLUTION_RE.match(value)
                if m is None or min(int(m.group(1)), int(m.group(2))) <= 0:
                    raise AnnotationError(
                        f'{path}, line {ln}: expected "resolution: (W, H)", '
                        f'got {line.strip()!r}')
                return int(m.group(1)), int(m.group(2))
        return None
