"""Need for Speed (NfS), 30 fps version, in its official layout."""
import os.path as osp
import re
from typing import List, Optional, Sequence, Union

import numpy as np

from mmtrack_ext.registry import DATASETS
from mmtrack_ext.structures import box_is_valid, xyxy_to_xywh
from .base_sot_dataset import BaseSOTDataset
from .benchmark_meta import load_meta_json, meta_path
from .errors import AnnotationError
from .frame_files import count_numbered_frames
from .parsing import load_vatic_annotation, names_from_spec

__all__ = ['NFSDataset']

_FRAME_RE = re.compile(r'^(\d{5})\.jpg$')
#: 240 fps frames per 30 fps frame
_STRIDE = 8


@DATASETS.register_module()
class NFSDataset(BaseSOTDataset):
    """NfS (Kiani Galoogahi et al., ICCV 2017) at 30 fps, official layout::

        {data_root}/{seq}/30/{seq}/00001.jpg, 00002.jpg, ...   frames
        {data_root}/{seq}/30/{seq}.txt                         boxes (vatic)

    The 100 sequences and their number of 30 fps frames ``N`` come from
    ``mmtrack_ext/datasets/meta/nfs.json`` (pytracking's per-sequence
    ``endFrame``): frames ``00001.jpg .. N`` are used (a folder may hold a
    few more, which are ignored).

    Annotation lines are ``track_id xmin ymin xmax ymax frame lost occluded
    generated "label"`` (vatic format). The 30 fps annotation files are
    numbered at **240 fps**: line ``8 k`` (0-based) belongs to 30 fps frame
    ``k``, i.e. every 8th line starting with the first, as the GOT-10k
    toolkit (``anno[0::8]``) does; the ``frame`` column is not used, since
    it starts at 0 in some files and at 1 in others. A file that already has
    one line per 30 fps frame (``N`` or ``N + 1`` lines) is read line by
    line. Boxes are ``xywh = (xmin, ymin, xmax - xmin, ymax - ymin)``, as in
    the GOT-10k toolkit.

    Annotation (:meth:`get_annotation`), besides the common keys:
    ``occluded`` and ``generated`` ``(N,)`` int64 (the file's flags;
    ``generated`` = interpolated box). ``absent`` is the file's ``lost``
    flag (target out of view); ``visible`` is ``lost == 0`` and a finite
    box of positive size; ``cover`` is unknown (``-1``).

    Errors: a missing sequence folder, frame folder, frame or annotation
    file raises while the dataset is built; malformed lines and too few
    lines raise when the video's annotation is first parsed; each message
    names the file (and line).

    Args:
        data_root: folder holding the sequence folders.
        sequence_list: read only these sequences (names of ``nfs.json``), a
            list or a text file with one name a line (relative paths are
            taken from ``data_root``); default: all 100.
        **kwargs: see :class:`BaseSOTDataset`.
    """

    METAINFO = dict(dataset_name='NfS')

    def __init__(self,
                 data_root: str,
                 sequence_list: Optional[Union[str, Sequence[str]]] = None,
                 **kwargs):
        self.sequence_list = sequence_list
        super().__init__(data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        if not osp.isdir(self.data_root):
            raise FileNotFoundError(
                f'NfS data_root not found: {self.data_root!r}')
        meta = load_meta_json('nfs.json')['sequences']
        by_name = {m['name']: m for m in meta}
        if self.sequence_list is None:
            return [self._video_info(m) for m in meta]
        source, names = names_from_spec(self.sequence_list, self.data_root)
        if not names:
            raise AnnotationError(f'{source}: no sequences listed')
        for ln, name in names:
            if name not in by_name:
                raise AnnotationError(
                    f'{source}, line {ln}: {name!r} is not an NfS sequence '
                    f'(see {meta_path("nfs.json")})')
        return [self._video_info(by_name[name]) for _, name in names]

    def _video_info(self, meta: dict) -> dict:
        name = meta['name']
        base = osp.join(self.data_root, name, '30')
        if not osp.isdir(base):
            raise FileNotFoundError(
                f'NfS sequence folder not found: {base} (expected '
                f'{{data_root}}/{name}/30/{name}/00001.jpg ...)')
        ann_file = osp.join(base, name + '.txt')
        if not osp.isfile(ann_file):
            raise FileNotFoundError(f'annotation file not found: {ann_file}')
        frame_dir = osp.join(base, name)
        num_frames = count_numbered_frames(
            frame_dir, _FRAME_RE, '%05d.jpg', expected=meta['num_frames'])
        return dict(
            video_name=name,
            video_length=num_frames,
            object_class=meta['object_class'],
            frame_dir=frame_dir,
            frame_template='%05d.jpg',
            frame_start=1,
            ann_file=ann_file)

    def parse_annotation(self, video_info: dict) -> dict:
        n = video_info['video_length']
        ann_file = video_info['ann_file']
        rows = load_vatic_annotation(ann_file)
        m = rows.shape[0]
        if m >= _STRIDE * (n - 1) + 1 and m > n + 1:
            rows = rows[0:_STRIDE * n:_STRIDE]
        elif m in (n, n + 1):
            rows = rows[:n]
        else:
            raise AnnotationError(
                f'{ann_file}: {m} lines cannot annotate the {n} frames of the '
                f'30 fps sequence (expected at least {_STRIDE * (n - 1) + 1} '
                f'lines numbered at 240 fps, or {n} lines)')
        bboxes = rows[:, 1:5].copy()
        lost = rows[:, 6].astype(np.int64)
        return dict(
            bboxes=bboxes,
            bboxes_xywh=xyxy_to_xywh(bboxes),
            visible=box_is_valid(bboxes) & (lost == 0),
            absent=lost,
            occluded=rows[:, 7].astype(np.int64),
            generated=rows[:, 8].astype(np.int64))
