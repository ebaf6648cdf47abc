"""OTB100 (OTB-2015 / TB-100) in the layout of the official download."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

from mmtrack_ext.registry import DATASETS
from mmtrack_ext.structures import box_is_valid, xywh_to_xyxy
from .base_sot_dataset import BaseSOTDataset
from .benchmark_meta import (load_benchmark_meta,
                             require_frame_range, select_sequences)
from .errors import AnnotationError
from .parsing import load_number_table

__all__ = ['OTB100Dataset']


@DATASETS.register_module()
class OTB100Dataset(BaseSOTDataset):
    """OTB100 on-disk layout (one zip per folder from the benchmark site)::

        {data_root}/{folder}/img/0001.jpg         frames, 1-based, 4 digits
                                                  (Board: 00001.jpg;
                                                  KiteSurf: .png)
        {data_root}/{folder}/groundtruth_rect.txt x,y,w,h per annotated frame,
                                                  separated by commas, tabs
                                                  or spaces (they vary)

    The 100 sequences come from the table ``meta/otb100.json`` (shipped with
    the package): folder, first and last annotated frame, digits, extension,
    annotation file and OTB attributes of each sequence. The table covers
    the irregular sequences:

    - annotations that cover only part of the frames: ``David`` (frames
      300-770), ``Football1`` (1-74), ``Freeman3`` (1-460), ``Freeman4``
      (1-283), ``Diving`` (1-215);
    - folders whose frames start later: ``BlurCar1`` (247-988),
      ``BlurCar3`` (3-359), ``BlurCar4`` (18-397);
    - two targets in one folder: ``Jogging.1`` / ``Jogging.2`` and
      ``Skating2.1`` / ``Skating2.2`` read ``groundtruth_rect.1.txt`` /
      ``groundtruth_rect.2.txt``; ``Human4.2`` reads
      ``groundtruth_rect.2.txt`` (``groundtruth_rect.1.txt`` is empty);
    - ``Tiger1``: the official toolkit skips the first 5 frames and boxes
      (``init_omit``), so frames 6-354 are evaluated (349 frames).

    Frame ``i`` (0-based) of a sequence is the file numbered
    ``start_frame + init_omit + i``; its box is row ``init_omit + i`` of the
    annotation file, which must have ``end_frame - start_frame + 1`` rows.
    A frame is *visible* when its box is finite with positive size; OTB has
    no absence labels (``absent = cover = -1``). Each video info has the
    sequence's ``attributes`` (codes of ``metainfo['attribute_names']``).

    Errors: a missing sequence folder, annotation file or frame raises while
    the dataset is built; a malformed line or a wrong number of rows raises
    when the sequence's annotation is first parsed (file and line named).

    Args:
        data_root: folder holding the sequence folders.
        sequence_list: use only these sequences (names of the table, in this
            order): a list, or a text file with one name a line (relative
            paths are taken from ``data_root``).
        init_omit: skip the frames the official toolkit skips (Tiger1);
            ``False`` keeps them (as ``got10k.datasets.OTB`` does).
        **kwargs: see :class:`BaseSOTDataset` (``pipeline``, ``test_mode``,
            ``indices``, ``ann_cache_size`` ...).
    """

    METAINFO = dict(dataset_name='OTB100')

    def __init__(self,
                 data_root: str,
                 sequence_list: Optional[Union[str, Sequence[str]]] = None,
                 init_omit: bool = True,
                 **kwargs):
        self.sequence_list = sequence_list
        self.init_omit = bool(init_omit)
        self._table = load_benchmark_meta('otb100')
        super().__init__(data_root=data_root, **kwargs)
        self._metainfo.setdefault('attribute_names',
                                  dict(self._table['attribute_names']))

    def load_data_list(self) -> List[dict]:
        if not osp.isdir(self.data_root):
            raise FileNotFoundError(
                f'OTB100 data_root not found: {self.data_root!r}')
        listings: Dict[str, set] = {}
        return [
            self._video_info(entry, listings) for entry in select_sequences(
                self._table['sequences'], self.sequence_list, self.data_root)
        ]

    def _video_info(self, entry: dict, listings: Dict[str, set]) -> dict:
        name = entry['name']
        seq_dir = osp.join(self.data_root, entry['folder'])
        frame_dir = osp.join(seq_dir, 'img')
        if not osp.isdir(frame_dir):
            raise FileNotFoundError(
                f'OTB100 sequence {name!r}: frame folder {frame_dir} does not '
                'exist')
        ann_file = osp.join(seq_dir, entry['anno_file'])
        if not osp.isfile(ann_file):
            raise FileNotFoundError(
                f'OTB100 sequence {name!r}: annotation file not found: '
                f'{ann_file}')
        skip = int(entry['init_omit']) if self.init_omit else 0
        first, last = int(entry['start_frame']) + skip, int(entry['end_frame'])
        template = f'%0{int(entry["digits"])}d.{entry["ext"]}'
        require_frame_range(frame_dir, template, first, last, listings,
                            f'OTB100 sequence {name!r}')
        return dict(
            video_name=name,
            video_length=last - first + 1,
            frame_dir=frame_dir,
            frame_template=template,
            frame_start=first,
            ann_file=ann_file,
            ann_rows=int(entry['end_frame']) - int(entry['start_frame']) + 1,
            ann_skip=skip,
            attributes=list(entry['attributes']))

    def parse_annotation(self, video_info: dict) -> dict:
        ann_file = video_info['ann_file']
        xywh = load_number_table(ann_file, 4)
        if xywh.shape[0] != video_info['ann_rows']:
            raise AnnotationError(
                f'{ann_file}: {xywh.shape[0]} boxes but OTB100 sequence '
                f'{video_info["video_name"]!r} has {video_info["ann_rows"]} '
                'annotated frames')
        xywh = xywh[video_info['ann_skip']:]
        bboxes = xywh_to_xyxy(xywh)
        return dict(bboxes=bboxes, bboxes_xywh=xywh,
                    visible=box_is_valid(bboxes))
