"""COCO object instances as one-frame videos (a training source)."""
import json
import os.path as osp
from numbers import Real
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from mmtrack_ext.registry import DATASETS
from mmtrack_ext.structures import xywh_to_xyxy
from .base_sot_dataset import BaseSOTDataset
from .errors import AnnotationError

__all__ = ['COCOSOTDataset']


@DATASETS.register_module()
class COCOSOTDataset(BaseSOTDataset):
    """COCO 2017 instances, each a video of one frame.

    On-disk layout::

        {data_root}/annotations/instances_{split}.json
        {data_root}/{split}/000000391895.jpg

    Every object instance that is not a crowd (``iscrowd == 0``) and whose
    box ``[x, y, w, h]`` (pixels) has ``w > 0``, ``h > 0`` and ``w * h >=
    min_area`` becomes one video of length 1. Through
    :class:`~mmtrack_ext.datasets.SOTPairDataset` such a video gives its
    only frame as template(s) and search frame (static-image pairs; the
    crops differ by the search/template jitter of the pipeline), and
    negative pairs take their search frame from another video.

    Videos are named ``{image file stem}_{annotation id}`` and ordered by
    annotation id. Video infos carry ``category_id`` and the image
    ``resolution`` ``(W, H)``. Image files are not checked when the dataset
    is built (there are 118k); a missing one raises
    :class:`~mmtrack_ext.datasets.FrameLoadError` when loaded, which
    training skips.

    The JSON is parsed with the standard library (no ``pycocotools``).

    Args:
        data_root: COCO root folder.
        split: ``'train2017'``, ``'val2017'`` (or another split in the same
            layout): the image folder and the ``instances_{split}.json``
            suffix.
        ann_file: annotation file instead of
            ``annotations/instances_{split}.json`` (relative paths are taken
            from ``data_root``).
        min_area: minimum box area ``w * h`` in pixels. ``0`` keeps every
            box of positive size, as pytracking's COCO source (used by
            OSTrack, STARK, MixFormer) does.
        **kwargs: see :class:`BaseSOTDataset`.

    Raises:
        FileNotFoundError: the annotation file or the image folder is
            missing.
        AnnotationError: the JSON is malformed, or an image / annotation
            entry lacks a field or has a malformed box (its index and id are
            named).
    """

    METAINFO = dict(dataset_name='COCO')

    def __init__(self,
                 data_root: str,
                 split: str = 'train2017',
                 ann_file: Optional[str] = None,
                 min_area: float = 0.,
                 **kwargs):
        if min_area < 0:
            raise ValueError(f'min_area must be >= 0, got {min_area}')
        self.split = split
        self.coco_ann_file = ann_file
        self.min_area = float(min_area)
        super().__init__(data_root=data_root, **kwargs)
        self._metainfo.setdefault('split', split)

    def _ann_path(self) -> str:
        if self.coco_ann_file is None:
            return osp.join(self.data_root, 'annotations',
                            f'instances_{self.split}.json')
        if osp.isabs(self.coco_ann_file):
            return self.coco_ann_file
        return osp.join(self.data_root, self.coco_ann_file)

    def load_data_list(self) -> List[dict]:
        path = self._ann_path()
        if not osp.isfile(path):
            raise FileNotFoundError(f'COCO annotation file not found: {path}')
        img_dir = osp.join(self.data_root, self.split)
        if not osp.isdir(img_dir):
            raise FileNotFoundError(
                f'COCO image folder not found: {img_dir} (data_root='
                f'{self.data_root!r}, split={self.split!r})')
        with open(path, encoding='utf-8') as f:
            try:
                coco = json.load(f)
            except json.JSONDecodeError as e:
                raise AnnotationError(
                    f'{path}, line {e.lineno}: invalid JSON ({e.msg})') \
                    from None
        if not isinstance(coco, dict) or not isinstance(
                coco.get('images'), list) or not isinstance(
                    coco.get('annotations'), list):
            raise AnnotationError(
                f'{path}: expected a COCO instances file with "images" and '
                '"annotations" lists')
        images = self._images(path, coco['images'])
        data_list = []
        for i, ann in enumerate(coco['annotations']):
            where = f'{path}: annotations[{i}]'
            ann_id, image_id, xywh, crowd = self._check_ann(where, ann)
            if crowd:
                continue
            w, h = xywh[2], xywh[3]
            if not (w > 0 and h > 0 and w * h >= self.min_area):
                continue
            image = images.get(image_id)
            if image is None:
                raise AnnotationError(
                    f'{where} (id {ann_id}): image_id {image_id} is not in '
                    '"images"')
            file_name, resolution = image
            data_list.append(
                dict(
                    video_name=f'{osp.splitext(file_name)[0]}_{ann_id}',
                    video_length=1,
                    frame_paths=[osp.join(img_dir, file_name)],
                    bbox=xywh,
                    resolution=resolution,
                    category_id=ann.get('category_id'),
                    ann_id=ann_id))
        data_list.sort(key=lambda info: info['ann_id'])
        if not data_list:
            raise AnnotationError(
                f'{path}: no instance is kept (non-crowd, positive size, '
                f'area >= min_area={self.min_area})')
        return data_list

    @staticmethod
    def _images(path: str,
                images: Sequence) -> Dict[int, Tuple[str, Tuple[int, int]]]:
        """``image id -> (file_name, (W, H))``."""
        out = {}
        for i, img in enumerate(images):
            where = f'{path}: images[{i}]'
            if not isinstance(img, dict):
                raise AnnotationError(f'{where}: expected an object')
            missing = [k for k in ('id', 'file_name', 'width', 'height')
                       if k not in img]
            if missing:
                raise AnnotationError(
                    f'{where} (id {img.get("id")}): missing {missing}')
            if img['id'] in out:
                raise AnnotationError(
                    f'{where}: image id {img["id"]} listed twice')
            out[img['id']] = (str(img['file_name']),
                              (int(img['width']), int(img['height'])))
        return out

    @staticmethod
    def _check_ann(where: str, ann) -> Tuple[int, int, List[float], bool]:
        """``(id, image_id, [x, y, w, h], iscrowd)`` of an annotation."""
        if not isinstance(ann, dict):
            raise AnnotationError(f'{where}: expected an object')
        missing = [k for k in ('id', 'image_id', 'bbox') if k not in ann]
        if missing:
            raise AnnotationError(
                f'{where} (id {ann.get("id")}): missing {missing}')
        bbox = ann['bbox']
        if not (isinstance(bbox, list) and len(bbox) == 4 and all(
                isinstance(v, Real) and not isinstance(v, bool)
                for v in bbox)):
            raise AnnotationError(
                f'{where} (id {ann["id"]}): bbox must be [x, y, w, h] '
                f'numbers, got {bbox!r}')
        return (ann['id'], ann['image_id'], [float(v) for v in bbox],
                bool(ann.get('iscrowd', 0)))

    def parse_annotation(self, video_info: dict) -> dict:
        xywh = np.asarray(video_info['bbox'], dtype=np.float64).reshape(1, 4)
        return dict(
            bboxes=xywh_to_xyxy(xywh),
            bboxes_xywh=xywh,
            visible=np.ones(1, dtype=bool),
            absent=np.zeros(1, dtype=np.int64),
            resolution=video_info['resolution'])
