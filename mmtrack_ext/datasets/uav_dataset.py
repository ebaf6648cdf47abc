"""UAV123 in the layout of the official download."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import numpy as np

from mmtrack_ext.registry import DATASETS
from mmtrack_ext.structures import box_is_valid, xywh_to_xyxy
from .base_sot_dataset import BaseSOTDataset
from .benchmark_meta import (load_benchmark_meta,
                             require_frame_range, select_sequences)
from .errors import AnnotationError
from .parsing import load_box_file, load_number_table

__all__ = ['UAV123Dataset']


@DATASETS.register_module()
class UAV123Dataset(BaseSOTDataset):
    """UAV123 on-disk layout (``Dataset_UAV123.zip``)::

        {data_root}/data_seq/UAV123/{video}/000001.jpg  frames, 1-based,
                                                        6 digits
        {data_root}/anno/UAV123/{seq}.txt               x,y,w,h per frame of
                                                        the sub-sequence;
                                                        NaN,NaN,NaN,NaN where
                                                        the target is absent
        {data_root}/anno/UAV123/att/{seq}.txt           12 attribute flags
                                                        (optional)

    The 123 sequences are sub-sequences of 91 videos (e.g. ``bird1_1`` is
    frames 1-253 of ``bird1``, ``bird1_2`` frames 775-1477); their frame
    ranges come from the table ``meta/uav123.json`` shipped with the
    package. Frame ``i`` (0-based) of a sequence is the file numbered
    ``start_frame + i``; its box is row ``i`` of the annotation file.

    Rows of ``NaN`` (target fully occluded or out of view) give a ``nan``
    box, ``absent = 1`` and ``visible = False``; the other rows
    ``absent = 0`` and are visible when the box has positive size. ``cover``
    is unknown (``-1``). When ``anno/UAV123/att/{seq}.txt`` exists its 12
    flags are read at build time and the video info gets ``attributes``
    (codes of ``metainfo['attribute_names']``, in the toolkit's column
    order), otherwise ``attributes`` is ``None``.

    Errors: a missing video folder, annotation file or frame, or a malformed
    attribute file raises while the dataset is built; a malformed annotation
    line or a wrong number of rows when the sequence is first parsed (file
    and line named).

    Args:
        data_root: folder holding ``data_seq/`` and ``anno/``.
        sequence_list: use only these sequences (names of the table, in this
            order): a list, or a text file with one name a line (relative
            paths are taken from ``data_root``).
        **kwargs: see :class:`BaseSOTDataset`.
    """

    METAINFO = dict(dataset_name='UAV123')

    def __init__(self,
                 data_root: str,
                 sequence_list: Optional[Union[str, Sequence[str]]] = None,
                 **kwargs):
        self.sequence_list = sequence_list
        self._table = load_benchmark_meta('uav123')
        super().__init__(data_root=data_root, **kwargs)
        self._metainfo.setdefault('attribute_names',
                                  dict(self._table['attribute_names']))

    def load_data_list(self) -> List[dict]:
        for sub in ('data_seq/UAV123', 'anno/UAV123'):
            if not osp.isdir(osp.join(self.data_root, sub)):
                raise FileNotFoundError(
                    f'UAV123 folder not found: '
                    f'{osp.join(self.data_root, sub)} (data_root='
                    f'{self.data_root!r})')
        listings: Dict[str, set] = {}
        return [
            self._video_info(entry, listings) for entry in select_sequences(
                self._table['sequences'], self.sequence_list, self.data_root)
        ]

    def _video_info(self, entry: dict, listings: Dict[str, set]) -> dict:
        name = entry['name']
        frame_dir = osp.join(self.data_root, 'data_seq', 'UAV123',
                             entry['folder'])
        if not osp.isdir(frame_dir):
            raise FileNotFoundError(
                f'UAV123 sequence {name!r}: frame folder {frame_dir} does not '
                'exist')
        anno_dir = osp.join(self.data_root, 'anno', 'UAV123')
        ann_file = osp.join(anno_dir, f'{name}.txt')
        if not osp.isfile(ann_file):
            raise FileNotFoundError(
                f'UAV123 sequence {name!r}: annotation file not found: '
                f'{ann_file}')
        first, last = int(entry['start_frame']), int(entry['end_frame'])
        template = f'%0{int(self._table["digits"])}d.{self._table["ext"]}'
        require_frame_range(
            frame_dir, template, first, last, listings,
            f'UAV123 sequence {name!r} of folder {entry["folder"]!r}')
        return dict(
            video_name=name,
            video_length=last - first + 1,
            frame_dir=frame_dir,
            frame_template=template,
            frame_start=first,
            ann_file=ann_file,
            attributes=self._attributes(
                osp.join(anno_dir, 'att', f'{name}.txt')))

    def _attributes(self, path: str) -> Optional[List[str]]:
        """Codes of the flags set in an attribute file (``None`` if the file
        does not exist)."""
        if not osp.isfile(path):
            return None
        codes = [code for code, _ in self._table['attribute_names']]
        flags = load_number_table(path, len(codes))
        if flags.shape[0] != 1 or not np.isin(flags, (0, 1)).all():
            raise AnnotationError(
                f'{path}: expected one line of {len(codes)} flags (0 or 1) '
                f'in the order {codes}, got {flags.shape[0]} lines'
                + ('' if flags.shape[0] != 1 else
                   f' with values {sorted(set(flags.ravel().tolist()))}'))
        return [c for c, f in zip(codes, flags[0]) if f == 1]

    def parse_annotation(self, video_info: dict) -> dict:
        n = video_info['video_length']
        ann_file = video_info['ann_file']
        xywh = load_box_file(ann_file, n,
                             f'UAV123 {video_info["video_name"]!r}')
        absent = np.isnan(xywh).any(axis=1)
        bboxes = xywh_to_xyxy(xywh)
        return dict(bboxes=bboxes, bboxes_xywh=xywh,
                    visible=box_is_valid(bboxes) & ~absent,
                    absent=absent.astype(np.int64))
