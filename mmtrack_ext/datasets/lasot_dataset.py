"""LaSOT and LaSOT_ext in their official layout."""
import os
import os.path as osp
import re
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np

from mmtrack_ext.registry import DATASETS
from mmtrack_ext.structures import box_is_valid, xywh_to_xyxy
from .base_sot_dataset import BaseSOTDataset
from .benchmark_meta import meta_path, read_meta_names
from .errors import AnnotationError
from .frame_files import count_numbered_frames
from .parsing import (load_box_file, load_flag_row, names_from_spec,
                      read_description)

__all__ = ['LaSOTDataset', 'LaSOTExtDataset']

_FRAME_RE = re.compile(r'^(\d{8})\.jpg$')


@DATASETS.register_module()
class LaSOTDataset(BaseSOTDataset):
    """LaSOT (Fan et al., CVPR 2019) in its official layout::

        {data_root}/{category}/{category}-{k}/img/00000001.jpg  frames
                                             groundtruth.txt    x,y,w,h
                                             full_occlusion.txt  0/1 flags
                                             out_of_view.txt     0/1 flags
                                             nlp.txt    description (opt.)

    ``groundtruth.txt`` has one comma-separated ``x,y,w,h`` line per frame;
    ``full_occlusion.txt`` and ``out_of_view.txt`` hold one line with a
    comma-separated 0/1 flag per frame. Boxes are kept as in the file (no
    0/1-based shift), so predictions are written in the convention the
    official toolkit and pytracking compare them with.

    Splits (the sequence lists ship in ``mmtrack_ext/datasets/meta/``, as
    the download has none): ``'test'`` the 280 sequences of protocol II
    (``lasot_test.txt``), ``'train'`` the other 1120 (``lasot_train.txt``),
    ``'all'`` all 1400. Every listed sequence must be present under
    ``data_root``.

    Annotation (:meth:`get_annotation`), besides the common keys:

    - ``target_visible`` ``(N,)`` bool: ``full_occlusion == 0`` and
      ``out_of_view == 0``, pytracking's definition (its LaSOT evaluation
      counts the other frames as failures);
    - ``full_occlusion``, ``out_of_view`` ``(N,)`` int64: the file flags;
    - ``language`` (str): the stripped contents of ``nlp.txt`` (lines joined
      by a space), ``None`` when the sequence has no ``nlp.txt``.

    ``visible`` is ``target_visible`` and a finite box of positive size;
    ``absent`` is ``1`` where the target is not visible (fully occluded or
    out of view), else ``0``; ``cover`` is unknown (``-1``).

    Errors: a missing sequence folder, frame folder, frame or
    ``groundtruth.txt`` raises while the dataset is built; malformed lines,
    missing flag files and counts that differ from the frame count raise
    when the video's annotation is first parsed; each message names the
    file (and line).

    Args:
        data_root: folder holding the category folders.
        split: ``'test'``, ``'train'`` or ``'all'``.
        sequence_list: read these sequences instead of the split's list: a
            list of names, or a text file with one name a line (relative
            paths are taken from ``data_root``), e.g. a training subset.
        **kwargs: see :class:`BaseSOTDataset`.
    """

    METAINFO = dict(dataset_name='LaSOT')
    #: split name -> shipped list files whose sequences it holds
    SPLITS = {
        'test': ('lasot_test.txt', ),
        'train': ('lasot_train.txt', ),
        'all': ('lasot_train.txt', 'lasot_test.txt'),
    }

    def __init__(self,
                 data_root: str,
                 split: str = 'test',
                 sequence_list: Optional[Union[str, Sequence[str]]] = None,
                 **kwargs):
        if split not in self.SPLITS:
            raise ValueError(
                f'{type(self).__name__}: unknown split {split!r}; choose '
                f'from {sorted(self.SPLITS)}')
        self.split = split
        self.sequence_list = sequence_list
        super().__init__(data_root=data_root, **kwargs)
        self._metainfo.setdefault('split', split)

    # ------------------------------------------------------------------
    # structure (built eagerly)
    def _listed_sequences(self) -> List[Tuple[str, int, str]]:
        """``(list file, line, name)`` of the split, sorted by category
        and sequence number (``sequence_list``: in its order)."""
        if self.sequence_list is not None:
            source, names = names_from_spec(self.sequence_list,
                                            self.data_root)
            if not names:
                raise AnnotationError(f'{source}: no sequences listed')
            return [(source, ln, name) for ln, name in names]
        out = []
        for fn in self.SPLITS[self.split]:
            out += [(meta_path(fn), ln, name)
                    for ln, name in read_meta_names(fn)]
        return sorted(out, key=lambda t: _category_and_number(t[2]))

    def load_data_list(self) -> List[dict]:
        if not osp.isdir(self.data_root):
            raise FileNotFoundError(
                f'{self.METAINFO["dataset_name"]} data_root not found: '
                f'{self.data_root!r}')
        return [self._video_info(source, ln, name)
                for source, ln, name in self._listed_sequences()]

    def _video_info(self, source: str, line: int, name: str) -> dict:
        category = _category_and_number(name)[0]
        seq_dir = osp.join(self.data_root, category, name)
        if not osp.isdir(seq_dir):
            raise FileNotFoundError(
                f'{self.METAINFO["dataset_name"]}: sequence folder {seq_dir} '
                f'does not exist ({name} is listed in {source}, line {line})')
        files = set(os.listdir(seq_dir))
        ann_file = osp.join(seq_dir, 'groundtruth.txt')
        if 'groundtruth.txt' not in files:
            raise FileNotFoundError(f'annotation file not found: {ann_file}')
        img_dir = osp.join(seq_dir, 'img')
        num_frames = count_numbered_frames(img_dir, _FRAME_RE, '%08d.jpg')
        return dict(
            video_name=name,
            video_length=num_frames,
            object_class=category,
            frame_dir=img_dir,
            frame_template='%08d.jpg',
            frame_start=1,
            ann_file=ann_file,
            full_occlusion_file=osp.join(seq_dir, 'full_occlusion.txt'),
            out_of_view_file=osp.join(seq_dir, 'out_of_view.txt'),
            nlp_file=(osp.join(seq_dir, 'nlp.txt')
                      if 'nlp.txt' in files else None))

    # ------------------------------------------------------------------
    # annotation (parsed lazily)
    def parse_annotation(self, video_info: dict) -> dict:
        n = video_info['video_length']
        ann_file = video_info['ann_file']
        xywh = load_box_file(ann_file, n)
        full_occlusion = _flags(video_info['full_occlusion_file'], n)
        out_of_view = _flags(video_info['out_of_view_file'], n)
        target_visible = (full_occlusion == 0) & (out_of_view == 0)
        bboxes = xywh_to_xyxy(xywh)
        return dict(
            bboxes=bboxes,
            bboxes_xywh=xywh,
            visible=box_is_valid(bboxes) & target_visible,
            absent=(~target_visible).astype(np.int64),
            target_visible=target_visible,
            full_occlusion=full_occlusion,
            out_of_view=out_of_view,
            language=read_description(video_info.get('nlp_file')))


@DATASETS.register_module()
class LaSOTExtDataset(LaSOTDataset):
    """LaSOT_ext (Fan et al., IJCV 2021): 150 test sequences in 15 new
    categories, in the same layout and with the same annotation as
    :class:`LaSOTDataset`.

    Args:
        data_root: folder holding the 15 category folders.
        split: ``'test'`` (the only one: the 150 sequences of
            ``meta/lasot_ext.txt``).
        **kwargs: see :class:`BaseSOTDataset`.
    """

    METAINFO = dict(dataset_name='LaSOT_ext')
    SPLITS = {'test': ('lasot_ext.txt', )}


def _category_and_number(name: str) -> Tuple[str, int]:
    """``('airplane', 13)`` for ``'airplane-13'``."""
    category, sep, number = name.rpartition('-')
    if not sep or not category or not number.isdigit():
        raise AnnotationError(
            f'LaSOT sequence name {name!r} is not "category-number"')
    return category, int(number)


def _flags(path: str, n: int) -> np.ndarray:
    flags = load_flag_row(path)
    if flags.shape[0] != n:
        raise AnnotationError(
            f'{path}: {flags.shape[0]} flags but the sequence has {n} frames')
    return flags
