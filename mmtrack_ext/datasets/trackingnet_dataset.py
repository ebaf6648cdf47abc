"""TrackingNet in its official layout."""
import os
import os.path as osp
import re
from typing import List, Optional, Sequence

import numpy as np

from mmtrack_ext.registry import DATASETS
from mmtrack_ext.structures import box_is_valid, xywh_to_xyxy
from .base_sot_dataset import BaseSOTDataset
from .errors import AnnotationError
from .frame_files import count_numbered_frames
from .parsing import load_number_table

__all__ = ['TrackingNetDataset']

# 0-based frame numbers written without padding: 0.jpg, 1.jpg, ...
_FRAME_RE = re.compile(r'^(0|[1-9]\d*)\.jpg$')
_NUM_TRAIN_CHUNKS = 12


@DATASETS.register_module()
class TrackingNetDataset(BaseSOTDataset):
    """TrackingNet (Müller et al., ECCV 2018) in its official layout::

        {data_root}/TRAIN_0 ... TRAIN_11/frames/{seq}/0.jpg, 1.jpg, ...
                                        /anno/{seq}.txt   x,y,w,h per frame
        {data_root}/TEST/frames/{seq}/0.jpg, ...
                        /anno/{seq}.txt   x,y,w,h of the first frame only

    The sequences of a chunk are the ``anno/*.txt`` files (sorted by name);
    each needs its ``frames/{seq}`` folder with frames numbered from 0
    without gaps. Boxes are kept as in the file (0-based pixels).

    The test split ships only the first box (to initialise trackers): its
    other frames get a ``nan`` box, ``visible=False``, so that offline
    evaluation refuses it like GOT-10k test (score it on the evaluation
    server). TrackingNet has no absence or cover labels (``-1``).

    Errors: a missing chunk / ``anno`` folder / frame folder / frame, or a
    chunk without sequences raise while the dataset is built; malformed
    lines and a box count that differs from the frame count (train) raise
    when the video's annotation is first parsed; each message names the file
    (and line).

    Args:
        data_root: folder holding ``TRAIN_0`` ... ``TRAIN_11`` and/or
            ``TEST``.
        split: ``'train'`` or ``'test'``.
        chunks: training chunks to read (integers in ``0..11``; default: all
            twelve). Only for ``split='train'``.
        **kwargs: see :class:`BaseSOTDataset`.
    """

    METAINFO = dict(dataset_name='TrackingNet')

    def __init__(self,
                 data_root: str,
                 split: str = 'test',
                 chunks: Optional[Sequence[int]] = None,
                 **kwargs):
        if split not in ('train', 'test'):
            raise ValueError(
                f'TrackingNetDataset: unknown split {split!r}; choose from '
                "['test', 'train']")
        if chunks is not None:
            if split != 'train':
                raise ValueError(
                    'TrackingNetDataset: chunks select TRAIN_k folders; they '
                    f'need split="train", got split={split!r}')
            chunks = [int(c) for c in chunks]
            bad = [c for c in chunks if not 0 <= c < _NUM_TRAIN_CHUNKS]
            if bad or not chunks or len(set(chunks)) != len(chunks):
                raise ValueError(
                    'TrackingNetDataset: chunks must be distinct integers in '
                    f'0..{_NUM_TRAIN_CHUNKS - 1}, got {chunks}')
        self.split = split
        self.chunks = chunks
        super().__init__(data_root=data_root, **kwargs)
        self._metainfo.setdefault('split', split)

    @property
    def chunk_names(self) -> List[str]:
        """Folders read: ``['TRAIN_0', ...]`` or ``['TEST']``."""
        if self.split == 'test':
            return ['TEST']
        chunks = range(_NUM_TRAIN_CHUNKS) if self.chunks is None \
            else self.chunks
        return [f'TRAIN_{c}' for c in chunks]

    # ------------------------------------------------------------------
    # structure (built eagerly)
    def load_data_list(self) -> List[dict]:
        data_list, seen = [], {}
        for chunk in self.chunk_names:
            chunk_dir = osp.join(self.data_root, chunk)
            anno_dir = osp.join(chunk_dir, 'anno')
            if not osp.isdir(chunk_dir):
                raise FileNotFoundError(
                    f'TrackingNet chunk folder not found: {chunk_dir} '
                    f'(data_root={self.data_root!r}, split={self.split!r})')
            if not osp.isdir(anno_dir):
                raise FileNotFoundError(
                    f'TrackingNet annotation folder not found: {anno_dir}')
            names = sorted(fn[:-4] for fn in os.listdir(anno_dir)
                           if fn.endswith('.txt') and not fn.startswith('.'))
            if not names:
                raise AnnotationError(
                    f'{anno_dir}: no annotation files (expected {{seq}}.txt)')
            for name in names:
                if name in seen:
                    raise AnnotationError(
                        f'TrackingNet: sequence {name!r} is in both '
                        f'{seen[name]} and {chunk}')
                seen[name] = chunk
                data_list.append(self._video_info(chunk_dir, chunk, name))
        return data_list

    @staticmethod
    def _video_info(chunk_dir: str, chunk: str, name: str) -> dict:
        frame_dir = osp.join(chunk_dir, 'frames', name)
        return dict(
            video_name=name,
            video_length=count_numbered_frames(
                frame_dir, _FRAME_RE, '%d.jpg', first=0),
            chunk=chunk,
            frame_dir=frame_dir,
            frame_template='%d.jpg',
            frame_start=0,
            ann_file=osp.join(chunk_dir, 'anno', name + '.txt'))

    # ------------------------------------------------------------------
    # annotation (parsed lazily)
    def parse_annotation(self, video_info: dict) -> dict:
        n = video_info['video_length']
        ann_file = video_info['ann_file']
        xywh = load_number_table(ann_file, 4)
        if xywh.shape[0] != n:
            if self.split == 'test' and xywh.shape[0] == 1:
                # only the initialisation box is public
                xywh = np.concatenate(
                    [xywh, np.full((n - 1, 4), np.nan)], axis=0)
            else:
                raise AnnotationError(
                    f'{ann_file}: {xywh.shape[0]} boxes but the sequence has '
                    f'{n} frames' + (' (a test annotation holds one box, or '
                                     'one per frame)'
                                     if self.split == 'test' else ''))
        bboxes = xywh_to_xyxy(xywh)
        return dict(bboxes=bboxes, bboxes_xywh=xywh,
                    visible=box_is_valid(bboxes))
