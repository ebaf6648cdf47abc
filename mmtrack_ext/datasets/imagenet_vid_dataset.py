"""ILSVRC2015 VID tracks as SOT sequences (a training source)."""
import json
import os
import os.path as osp
import re
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional, Tuple

import numpy as np

from mmtrack_ext.registry import DATASETS
from mmtrack_ext.structures import box_is_valid, xywh_to_xyxy
from .base_sot_dataset import BaseSOTDataset
from .errors import AnnotationError

__all__ = ['ImageNetVIDDataset']

_XML_RE = re.compile(r'^(\d{6})\.xml$')
CACHE_FORMAT = 'mmtrack_ext ImageNetVID tracks v1'


@DATASETS.register_module()
class ImageNetVIDDataset(BaseSOTDataset):
    """ImageNet VID (ILSVRC2015) object tracks, one SOT sequence each.

    On-disk layout::

        {data_root}/Data/VID/train/ILSVRC2015_VID_train_0000/
                     ILSVRC2015_train_00000000/000000.JPEG
        {data_root}/Annotations/VID/train/ILSVRC2015_VID_train_0000/
                     ILSVRC2015_train_00000000/000000.xml
        {data_root}/Data/VID/val/ILSVRC2015_val_00000000/000000.JPEG
        {data_root}/Annotations/VID/val/ILSVRC2015_val_00000000/000000.xml

    A video is a folder of ``Annotations/VID/{split}`` (at any depth) that
    holds ``NNNNNN.xml`` files numbered from ``000000`` without gaps; its
    frames are the ``NNNNNN.JPEG`` files of the same path under
    ``Data/VID/{split}``. Each XML file (Pascal VOC) lists the ``object``\\ s
    of its frame with ``trackid``, ``name`` (WordNet id), ``bndbox``
    (``xmin``, ``ymin``, ``xmax``, ``ymax`` pixels) and ``occluded``.

    Every ``(video, trackid)`` is one sequence, named
    ``{video folder}_{trackid}``, from the first to the last frame where the
    track appears. Boxes are ``[xmin, ymin, xmax, ymax]`` (so ``w = xmax -
    xmin``, as pytracking reads them). Frames in between where the track is
    missing get a ``nan`` box, ``absent = 1`` and ``visible = False``; the
    others ``absent = 0`` and are visible when the box has positive size
    and, with ``occluded_invisible``, ``occluded == 0`` (pytracking).
    ``cover`` is unknown (``-1``). Video infos carry ``class_name`` (the
    WordNet id) and ``resolution`` ``(W, H)``.

    **Cache.** Reading the ~1.1M XML files of the train split takes a long
    time. With ``cache_file`` the tracks are written there as JSON after the
    first parse (atomically) and read from it afterwards; the cache stores
    paths relative to ``data_root`` and the split it was made for (a cache
    of another split raises). Delete it when the annotations change. The
    frame images are not checked when the dataset is built; a missing one
    raises :class:`~mmtrack_ext.datasets.FrameLoadError` when loaded, which
    training skips.

    Args:
        data_root: folder holding ``Data/`` and ``Annotations/``.
        split: ``'train'`` or ``'val'``.
        cache_file: JSON cache of the parsed tracks (relative paths are taken
            from ``data_root``); ``None``: parse the XML files every time.
        occluded_invisible: frames marked ``occluded`` are not visible.
        **kwargs: see :class:`BaseSOTDataset`.

    Raises:
        FileNotFoundError: the annotation or frame folder of the split or of
            a video is missing.
        AnnotationError: malformed XML (file and line), missing fields (file
            and object), a gap in a video's annotation files, no tracks, or
            a cache of another format or split.
    """

    METAINFO = dict(dataset_name='ImageNetVID')

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 cache_file: Optional[str] = None,
                 occluded_invisible: bool = True,
                 **kwargs):
        self.split = split
        self.cache_file = cache_file
        self.occluded_invisible = bool(occluded_invisible)
        super().__init__(data_root=data_root, **kwargs)
        self._metainfo.setdefault('split', split)

    # ------------------------------------------------------------------
    # structure
    def _cache_path(self) -> Optional[str]:
        if self.cache_file is None:
            return None
        return self.cache_file if osp.isabs(self.cache_file) \
            else osp.join(self.data_root, self.cache_file)

    def load_data_list(self) -> List[dict]:
        anno_root = osp.join(self.data_root, 'Annotations', 'VID', self.split)
        data_root = osp.join(self.data_root, 'Data', 'VID', self.split)
        cache = self._cache_path()
        if cache is not None and osp.isfile(cache):
            tracks = self._read_cache(cache)
        else:
            for folder in (anno_root, data_root):
                if not osp.isdir(folder):
                    raise FileNotFoundError(
                        f'ImageNet VID folder not found: {folder} (data_root='
                        f'{self.data_root!r}, split={self.split!r})')
            tracks = []
            for video in self._find_videos(anno_root):
                if not osp.isdir(osp.join(data_root, video)):
                    raise FileNotFoundError(
                        f'ImageNet VID video {video!r}: frame folder '
                        f'{osp.join(data_root, video)} does not exist')
                tracks += self._parse_video(anno_root, video)
            if cache is not None:
                self._write_cache(cache, tracks)
        if not tracks:
            raise AnnotationError(
                f'{cache or anno_root}: no object tracks found')
        return [self._video_info(data_root, t) for t in tracks]

    @staticmethod
    def _find_videos(anno_root: str) -> List[str]:
        """Paths (relative to ``anno_root``) of folders holding XML files."""
        videos = []
        for dirpath, dirnames, filenames in os.walk(anno_root):
            dirnames.sort()
            if any(fn.endswith('.xml') for fn in filenames):
                videos.append(osp.relpath(dirpath, anno_root))
        return sorted(videos)

    def _parse_video(self, anno_root: str, video: str) -> List[dict]:
        """The tracks of one video, as stored in the cache: ``video`` (path
        relative to the split folder, ``/``-separated), ``trackid`` (str),
        ``class_name``, ``resolution`` ``[W, H]`` (of the first frame),
        ``first_frame`` (number of the track's first frame), ``boxes`` (one
        ``[x, y, w, h]`` per frame from ``first_frame`` to the track's last
        frame, ``None`` where it is missing) and ``occluded`` (0/1 or
        ``None``)."""
        video_dir = osp.join(anno_root, video)
        numbers = sorted(
            int(m.group(1))
            for m in map(_XML_RE.match, os.listdir(video_dir)) if m)
        if not numbers or numbers != list(range(len(numbers))):
            present = set(numbers)
            gap = next(i for i in range(len(numbers) + 1)
                       if i not in present)
            raise AnnotationError(
                f'{video_dir}: annotation {gap:06d}.xml is missing (the '
                'files must be numbered 000000, 000001, ... without gaps)')
        found: Dict[str, dict] = {}
        resolution = None
        for number in numbers:
            path = osp.join(video_dir, f'{number:06d}.xml')
            size, objects = self._parse_xml(path)
            if resolution is None:
                resolution = list(size)
            for trackid, wnid, xyxy, occluded in objects:
                frames = found.setdefault(
                    trackid, dict(class_name=wnid, frames={}))['frames']
                if number in frames:
                    raise AnnotationError(
                        f'{path}: trackid {trackid} appears twice')
                frames[number] = (xyxy, occluded)
        tracks = []
        for trackid in sorted(found, key=_trackid_key):
            frames = found[trackid]['frames']
            first, last = min(frames), max(frames)
            boxes, occluded = [], []
            for number in range(first, last + 1):
                if number in frames:
                    (x1, y1, x2, y2), occ = frames[number]
                    boxes.append([x1, y1, x2 - x1, y2 - y1])
                    occluded.append(occ)
                else:  # the track is missing in this frame
                    boxes.append(None)
                    occluded.append(None)
            tracks.append(
                dict(video=video.replace(os.sep, '/'), trackid=trackid,
                     class_name=found[trackid]['class_name'],
                     resolution=resolution, first_frame=first, boxes=boxes,
                     occluded=occluded))
        return tracks

    @staticmethod
    def _parse_xml(path: str):
        """``((W, H), [(trackid, wnid, (x1, y1, x2, y2), occluded)])``."""
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            line = e.position[0] if e.position else '?'
            raise AnnotationError(
                f'{path}, line {line}: invalid XML ({e})') from None

        def number(node, tag, where, cast=float):
            text = node.findtext(tag)
            if text is None:
                raise AnnotationError(f'{path}: {where} has no <{tag}>')
            try:
                return cast(text.strip())
            except ValueError:
                raise AnnotationError(
                    f'{path}: {where} <{tag}> is {text!r}, not a number') \
                    from None

        size = (number(root, 'size/width', 'the annotation', int),
                number(root, 'size/height', 'the annotation', int))
        objects = []
        for i, obj in enumerate(root.iter('object')):
            where = f'object {i}'
            trackid = obj.findtext('trackid')
            if trackid is None or not trackid.strip():
                raise AnnotationError(f'{path}: {where} has no <trackid>')
            trackid = trackid.strip()
            where = f'object {i} (trackid {trackid})'
            box = tuple(
                number(obj, f'bndbox/{k}', where)
                for k in ('xmin', 'ymin', 'xmax', 'ymax'))
            occluded = obj.findtext('occluded')
            occluded = 0 if occluded is None else number(
                obj, 'occluded', where, int)
            objects.append((trackid, (obj.findtext('name') or '').strip(),
                            box, occluded))
        return size, objects

    # ------------------------------------------------------------------
    # cache
    def _read_cache(self, path: str) -> List[dict]:
        with open(path, encoding='utf-8') as f:
            try:
                cache = json.load(f)
            except json.JSONDecodeError as e:
                raise AnnotationError(
                    f'{path}, line {e.lineno}: invalid JSON cache ({e.msg}); '
                    'delete it to parse the annotations again') from None
        if not isinstance(cache, dict) or cache.get('format') != CACHE_FORMAT:
            raise AnnotationError(
                f'{path}: not an ImageNet VID cache of format '
                f'{CACHE_FORMAT!r}; delete it to parse the annotations again')
        if cache.get('split') != self.split:
            raise AnnotationError(
                f'{path}: cache of split {cache.get("split")!r}, but '
                f'split={self.split!r}; use one cache file per split')
        return cache['tracks']

    def _write_cache(self, path: str, tracks: List[dict]) -> None:
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        tmp = f'{path}.tmp{os.getpid()}'
        with open(tmp, 'w', encoding='utf-8') as f:
            json.dump(dict(format=CACHE_FORMAT, split=self.split,
                           tracks=tracks), f, separators=(',', ':'))
        os.replace(tmp, path)

    # ------------------------------------------------------------------
    @staticmethod
    def _video_info(data_root: str, track: dict) -> dict:
        boxes = np.array(
            [b if b is not None else [np.nan] * 4 for b in track['boxes']],
            dtype=np.float64).reshape(-1, 4)
        occluded = np.array(
            [-1 if o is None else o for o in track['occluded']],
            dtype=np.int8)
        video = track['video']
        return dict(
            video_name=f'{osp.basename(video)}_{track["trackid"]}',
            video_length=int(boxes.shape[0]),
            frame_dir=osp.join(data_root, *video.split('/')),
            frame_template='%06d.JPEG',
            frame_start=int(track['first_frame']),
            bboxes_xywh=boxes,
            occluded=occluded,
            class_name=track['class_name'],
            resolution=tuple(track['resolution']))

    def parse_annotation(self, video_info: dict) -> dict:
        xywh = np.asarray(video_info['bboxes_xywh'], dtype=np.float64)
        occluded = np.asarray(video_info['occluded'])
        absent = occluded < 0
        bboxes = xywh_to_xyxy(xywh)
        visible = box_is_valid(bboxes) & ~absent
        if self.occluded_invisible:
            visible &= occluded == 0
        return dict(bboxes=bboxes, bboxes_xywh=xywh, visible=visible,
                    absent=absent.astype(np.int64),
                    resolution=video_info['resolution'])


def _trackid_key(trackid: str) -> Tuple[int, object]:
    """Numeric track ids in numeric order, others after them."""
    return (0, int(trackid)) if trackid.isdigit() else (1, trackid)
