"""TNL2K in its official layout."""
import os
import os.path as osp
from typing import List

from mmtrack_ext.registry import DATASETS
from mmtrack_ext.structures import box_is_valid, xywh_to_xyxy
from .base_sot_dataset import BaseSOTDataset
from .errors import AnnotationError
from .frame_files import list_image_files
from .parsing import load_box_file, read_description

__all__ = ['TNL2KDataset']


@DATASETS.register_module()
class TNL2KDataset(BaseSOTDataset):
    """TNL2K (Wang et al., CVPR 2021) in its official layout::

        {data_root}/{seq}/imgs/*.jpg | *.png   frames
                         /groundtruth.txt      x,y,w,h per frame
                         /language.txt         description (opt.)

    TNL2K ships its test split (and its training split) as a folder of its
    own: every sub-folder of ``data_root`` is a sequence (sorted by name).
    Frame files are ordered by name, comparing digit runs as numbers (the
    numbering, its zero padding and the image type vary per sequence); the
    frame count must equal the number of boxes. Boxes are kept as in the
    file.

    Annotation (:meth:`get_annotation`), besides the common keys:
    ``language`` (str): the stripped contents of ``language.txt`` (lines
    joined by a space), ``None`` when the sequence has none. TNL2K has no
    absence or cover labels (``-1``); ``visible`` is a finite box of
    positive size.

    Errors: a missing ``imgs`` folder or ``groundtruth.txt``, or a sequence
    without frames raise while the dataset is built; malformed lines and a
    box count that differs from the frame count raise when the video's
    annotation is first parsed; each message names the file (and line).

    Args:
        data_root: the split's folder (e.g. ``TNL2K_test_subset``).
        split: name of that split, ``'test'`` or ``'train'`` (recorded in
            the meta information; the folder is ``data_root`` itself).
        **kwargs: see :class:`BaseSOTDataset`.
    """

    METAINFO = dict(dataset_name='TNL2K')

    def __init__(self, data_root: str, split: str = 'test', **kwargs):
        if split not in ('train', 'test'):
            raise ValueError(
                f"TNL2KDataset: unknown split {split!r}; choose from "
                "['test', 'train']")
        self.split = split
        super().__init__(data_root=data_root, **kwargs)
        self._metainfo.setdefault('split', split)

    def load_data_list(self) -> List[dict]:
        if not osp.isdir(self.data_root):
            raise FileNotFoundError(
                f'TNL2K folder not found: {self.data_root!r} (point '
                'data_root at the folder of the split)')
        names = sorted(
            n for n in os.listdir(self.data_root)
            if not n.startswith('.')
            and osp.isdir(osp.join(self.data_root, n)))
        if not names:
            raise AnnotationError(
                f'{self.data_root}: no sequence folders found')
        return [self._video_info(name) for name in names]

    def _video_info(self, name: str) -> dict:
        seq_dir = osp.join(self.data_root, name)
        ann_file = osp.join(seq_dir, 'groundtruth.txt')
        if not osp.isfile(ann_file):
            raise FileNotFoundError(f'annotation file not found: {ann_file}')
        frame_paths = list_image_files(osp.join(seq_dir, 'imgs'))
        language = osp.join(seq_dir, 'language.txt')
        return dict(
            video_name=name,
            video_length=len(frame_paths),
            frame_paths=frame_paths,
            ann_file=ann_file,
            language_file=language if osp.isfile(language) else None)

    def parse_annotation(self, video_info: dict) -> dict:
        n = video_info['video_length']
        ann_file = video_info['ann_file']
        frame_dir = osp.dirname(video_info['frame_paths'][0])
        xywh = load_box_file(ann_file, n, f'frames in {frame_dir}')
        bboxes = xywh_to_xyxy(xywh)
        return dict(
            bboxes=bboxes,
            bboxes_xywh=xywh,
            visible=box_is_valid(bboxes),
            language=read_description(video_info['language_file']))
