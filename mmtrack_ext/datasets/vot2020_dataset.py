"""VOT2020 short-term (and every dataset in the VOT toolkit's layout)."""
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

from mmtrack_ext.registry import DATASETS
from mmtrack_ext.structures import box_is_valid, xywh_to_xyxy
from mmtrack_ext.structures.regions import (Mask, Special, read_regions,
                                            region_to_box)
from .base_sot_dataset import BaseSOTDataset
from .errors import AnnotationError
from .frame_files import count_numbered_frames, open_sequence_folder
from .parsing import names_from_spec, read_name_list, read_text_lines

__all__ = ['VOT2020Dataset']

# the toolkit's ``read_properties``: ``key=value``, other lines ignored
_PROPERTY_RE = re.compile(r'^([a-zA-Z0-9_\-.]+) *= *(.*)$')
_PLACEHOLDER_RE = re.compile(r'%0?\d*d')
_CHANNELS = ('color', 'depth', 'ir')
_MISSING_ANCHORS = ('first_frame', 'error')


@DATASETS.register_module()
class VOT2020Dataset(BaseSOTDataset):
    """VOT2020 short-term, in the layout vot-toolkit 0.9.0 reads::

        {data_root}/list.txt                 sequence names, one a line
        {data_root}/{seq}/sequence           metadata, ``key=value`` lines
                                             (``channels.color=color/%08d
                                             .jpg``, ``width``, ``height``,
                                             ``length``, ``fps`` ...)
        {data_root}/{seq}/color/00000001.jpg frames, 1-based
        {data_root}/{seq}/groundtruth.txt    one region per frame: RLE
                                             masks ``m<x0>,<y0>,<w>,<h>,...``
                                             (VOT2020), ``x,y,w,h`` or
                                             polygons (older editions)
        {data_root}/{seq}/<tag>.tag          per-frame 0/1 tags
                                             (``occlusion``,
                                             ``camera_motion`` ...; also
                                             ``<tag>.label``)
        {data_root}/{seq}/<name>.value       per-frame numbers, among them
                                             ``anchor.value``

    Conventions of the toolkit kept here: the frame pattern is the
    ``channels.color`` entry (default ``color/%08d.jpg``; a folder without a
    file pattern gets ``%08d.jpg``; a depth or ir channel is used when there
    is no colour one); a ground truth shorter than the
    sequence is padded with the unknown code ``0``; tag files shorter than
    the sequence are padded with ``False`` (a tag is set where its line is
    exactly ``1``), value files with ``0.0``. Without ``width``/``height``
    entries the first frame's size is used. Frames ``1 .. length`` must
    exist; without a ``length`` entry the frames found must be numbered
    from 1 without a gap (the toolkit silently stops at the first gap).

    Anchors (``anchor.value``: ``> 0`` forward anchor, ``< 0`` backward, 0
    none; VOT2020 places them about every 50 frames). The toolkit refuses a
    sequence without anchors. ``missing_anchors='first_frame'`` (default)
    instead uses a single forward anchor on frame 0 (the tracker runs once
    over the whole sequence, without restarts); ``'error'`` raises like the
    toolkit.

    Annotation (:meth:`get_annotation`, lazily parsed): ``bboxes`` /
    ``bboxes_xywh`` are the axis-aligned boxes of the regions
    (:func:`~mmtrack_ext.structures.regions.region_to_box`: a mask's
    tight pixel box, what box trackers are initialised with; NaN where the
    region is unknown or empty); ``visible`` where that box has positive
    size; ``absent`` is 1 where the region is a shape without pixels, -1
    where it is a special code (unknown), 0 elsewhere; ``cover`` is unknown
    (-1). Additionally ``regions`` (tuple of
    :class:`~mmtrack_ext.structures.regions.Region`), ``tags`` ``{name:
    (N,) bool}``, ``values`` ``{name: (N,) float64}`` and ``anchors``
    ``(N,)`` float64. :meth:`get_vot_sequence` gives the ``vot2020``
    protocol input of a video.

    Errors: a missing ``list.txt`` / sequence folder / ``groundtruth.txt``
    / frame raise while the dataset is built; malformed metadata, region,
    tag or value lines and files longer than the sequence raise when the
    video's annotation is first parsed; each message names the file (and
    line).

    Args:
        data_root: folder holding ``list.txt`` and the sequences (the
            toolkit workspace's ``sequences`` folder).
        sequence_list: use these sequences instead of ``list.txt``: a list
            of names or a text file (relative to ``data_root``).
        missing_anchors: ``'first_frame'`` or ``'error'`` (see above).
        **kwargs: see :class:`BaseSOTDataset`.
    """

    METAINFO = dict(dataset_name='VOT2020')

    def __init__(self,
                 data_root: str,
                 sequence_list: Optional[Union[str, Sequence[str]]] = None,
                 missing_anchors: str = 'first_frame',
                 **kwargs):
        if missing_anchors not in _MISSING_ANCHORS:
            raise ValueError(f'missing_anchors must be one of '
                             f'{_MISSING_ANCHORS}, got {missing_anchors!r}')
        self.sequence_list = sequence_list
        self.missing_anchors = missing_anchors
        super().__init__(data_root=data_root, **kwargs)

    # ------------------------------------------------------------------
    # structure (built eagerly)
    def load_data_list(self) -> List[dict]:
        if not osp.isdir(self.data_root):
            raise FileNotFoundError(
                f'VOT data root not found: {self.data_root}')
        if self.sequence_list is None:
            source = osp.join(self.data_root, 'list.txt')
            names = read_name_list(source)
        else:
            source, names = names_from_spec(self.sequence_list,
                                            self.data_root)
        if not names:
            raise AnnotationError(f'{source}: no sequences listed')
        return [self._video_info(source, ln, name) for ln, name in names]

    @staticmethod
    def _read_metadata(path: str) -> Dict[str, Tuple[int, str]]:
        """``{key: (line, value)}`` of a ``sequence`` file."""
        out = {}
        if not osp.isfile(path):
            return out
        for ln, line in enumerate(read_text_lines(path), 1):
            m = _PROPERTY_RE.match(line.strip())
            if m:
                out[m.group(1)] = (ln, m.group(2).strip())
        return out

    @staticmethod
    def _meta_int(meta: dict, key: str, path: str) -> Optional[int]:
        if key not in meta or meta[key][1] == '':
            return None
        ln, text = meta[key]
        try:
            value = int(text)
        except ValueError:
            raise AnnotationError(f'{path}, line {ln}: {key} must be an '
                                  f'integer, got {text!r}') from None
        if value <= 0:
            raise AnnotationError(f'{path}, line {ln}: {key} must be > 0, '
                                  f'got {value}')
        return value

    def _video_info(self, source: str, line: int, name: str) -> dict:
        seq_dir = osp.join(self.data_root, name)
        files, ann_file = open_sequence_folder(seq_dir,
                                               f'{source}, line {line}')
        meta_file = osp.join(seq_dir, 'sequence')
        meta = self._read_metadata(meta_file)
        pattern, pattern_src = 'color/%08d.jpg', None
        for channel in _CHANNELS:
            key = f'channels.{channel}'
            if key in meta:
                pattern_src = f'{meta_file}, line {meta[key][0]}'
                pattern = meta[key][1].replace('\\', '/')
                break
        if 'sequence' not in files and pattern_src is None and \
                not osp.isdir(osp.join(seq_dir, 'color')):
            pattern = '%08d.jpg'  # legacy layout: frames in the folder
        if osp.splitext(pattern)[1] == '':
            pattern = osp.join(pattern, '%08d.jpg')
        frame_dir, template = osp.split(osp.join(seq_dir, pattern))
        parts = _PLACEHOLDER_RE.split(template)
        if len(parts) != 2:
            raise AnnotationError(
                f'{pattern_src or seq_dir}: frame pattern {pattern!r} needs '
                'one %d placeholder in the file name')
        length = self._meta_int(meta, 'length', meta_file)
        width = self._meta_int(meta, 'width', meta_file)
        height = self._meta_int(meta, 'height', meta_file)
        # frames 1 .. length (the metadata's, else an unbroken run from 1)
        length = count_numbered_frames(
            frame_dir,
            re.escape(parts[0]) + r'(\d+)' + re.escape(parts[1]) + '$',
            template,
            first=1,
            expected=length)
        tag_files = sorted(f for f in files
                           if f.endswith('.tag') or f.endswith('.label'))
        value_files = sorted(f for f in files if f.endswith('.value'))
        return dict(
            video_name=name,
            video_length=length,
            frame_dir=frame_dir,
            frame_template=template,
            frame_start=1,
            seq_dir=seq_dir,
            ann_file=ann_file,
            tag_files=[osp.join(seq_dir, f) for f in tag_files],
            value_files=[osp.join(seq_dir, f) for f in value_files],
            resolution=(width, height) if width and height else None)

    # ------------------------------------------------------------------
    # annotation (parsed lazily)
    def parse_annotation(self, video_info: dict) -> dict:
        n = video_info['video_length']
        ann_file = video_info['ann_file']
        try:
            regions = read_regions(ann_file)
        except ValueError as e:
            raise AnnotationError(str(e)) from None
        if len(regions) > n:
            raise AnnotationError(
                f'{ann_file}: {len(regions)} regions but the sequence has '
                f'{n} frames')
        regions += [Special(0)] * (n - len(regions))
        xywh = np.stack([region_to_box(r) for r in regions])
        bboxes = xywh_to_xyxy(xywh)
        absent = np.array([
            -1 if isinstance(r, Special) else int(self._no_pixels(r))
            for r in regions
        ], dtype=np.int64)
        tags = {}
        for path in video_info['tag_files']:
            tags[self._stem(path)] = self._read_tag(path, n)
        values = {}
        for path in video_info['value_files']:
            values[self._stem(path)] = self._read_value(path, n)
        for array in list(tags.values()) + list(values.values()):
            array.flags.writeable = False
        anchors = values.get('anchor')
        if anchors is None:
            if self.missing_anchors == 'error':
                raise AnnotationError(
                    f'{video_info["seq_dir"]}: no anchor.value (the VOT '
                    'multistart experiment needs anchors)')
            anchors = np.zeros(n, dtype=np.float64)
            anchors[0] = 1.0
        elif not (anchors != 0).any():
            raise AnnotationError(
                f'{osp.join(video_info["seq_dir"], "anchor.value")}: no '
                'anchor (every value is 0)')
        resolution = video_info.get('resolution')
        if resolution is None:
            resolution = self._first_frame_size(video_info)
        return dict(
            bboxes=bboxes,
            bboxes_xywh=xywh,
            visible=box_is_valid(bboxes),
            absent=absent,
            cover=None,
            resolution=resolution,
            regions=tuple(regions),
            tags=tags,
            values=values,
            anchors=anchors)

    @staticmethod
    def _no_pixels(region) -> bool:
        if isinstance(region, Mask):
            return region.mask.size == 0
        box = region_to_box(region)
        return not (box[2] > 0 and box[3] > 0)

    @staticmethod
    def _stem(path: str) -> str:
        return osp.splitext(osp.basename(path))[0]

    @staticmethod
    def _lines(path: str, n: int) -> List[str]:
        lines = read_text_lines(path)
        while lines and not lines[-1].strip():
            lines.pop()
        if len(lines) > n:
            raise AnnotationError(f'{path}: {len(lines)} lines but the '
                                  f'sequence has {n} frames')
        return lines

    def _read_tag(self, path: str, n: int) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        lines = self._lines(path, n)
        out[:len(lines)] = [line.strip() == '1' for line in lines]
        return out

    def _read_value(self, path: str, n: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.float64)
        for i, line in enumerate(self._lines(path, n)):
            try:
                out[i] = float(line.strip())
            except ValueError:
                raise AnnotationError(f'{path}, line {i + 1}: not a number: '
                                      f'{line.strip()!r}') from None
        return out

    def _first_frame_size(self, info: dict) -> Tuple[int, int]:
        path = self._frame_path(info, 0)
        img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        if img is None:
            raise FileNotFoundError(f'cannot read frame {path}')
        return int(img.shape[1]), int(img.shape[0])

    # ------------------------------------------------------------------
    # VOT-specific access
    def get_regions(self, video_idx: int) -> Tuple:
        """Ground-truth regions of a video (one per frame)."""
        return self.get_annotation(video_idx)['regions']

    def get_anchors(self, video_idx: int) -> np.ndarray:
        """``(N,)`` anchor values (``> 0`` forward, ``< 0`` backward)."""
        return self.get_annotation(video_idx)['anchors']

    def get_anchor_frames(self, video_idx: int) -> Tuple[List[int],
                                                          List[int]]:
        """``(forward, backward)`` anchor frames of a video."""
        from mmtrack_ext.evaluation.functional.vot import find_anchors
        return find_anchors(self.get_anchors(video_idx))

    def get_tags(self, video_idx: int) -> Dict[str, np.ndarray]:
        """Per-frame tags ``{name: (N,) bool}`` of a video."""
        return self.get_annotation(video_idx)['tags']

    def get_vot_sequence(self, video_idx: int) -> dict:
        """``{'gt', 'anchors', 'resolution'}`` of a video, the ``vot2020``
        protocol input without ``pred``."""
        ann = self.get_annotation(video_idx)
        return dict(
            gt=list(ann['regions']),
            anchors=ann['anchors'],
            resolution=self.get_resolution(video_idx))
