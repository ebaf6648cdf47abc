"""Packing of the results dict into model inputs and an SOTDataSample."""
from typing import List

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import InstanceData

from mmtrack_ext.registry import TRANSFORMS
from mmtrack_ext.structures import SOTDataSample

__all__ = ['PackSOTInputs']


def _to_chw(img: np.ndarray) -> torch.Tensor:
    """``(H, W, 3)`` uint8 array -> ``(3, H, W)`` uint8 tensor."""
    if img.ndim == 2:
        img = img[..., None]
    return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))


def _stack(frames: List[dict]) -> torch.Tensor:
    shapes = {f['img'].shape for f in frames}
    if len(shapes) != 1:
        raise ValueError(f'frames of one role differ in shape: {shapes}')
    return torch.stack([_to_chw(f['img']) for f in frames])


def _boxes(frames: List[dict]) -> torch.Tensor:
    return torch.from_numpy(
        np.stack([np.asarray(f['bbox'], dtype=np.float32)
                  for f in frames]).reshape(-1, 4))


@TRANSFORMS.register_module()
class PackSOTInputs(BaseTransform):
    """Pack a results dict into ``dict(inputs=..., data_samples=...)``.

    Training (frames with roles ``'template'`` and ``'search'``):

    - ``inputs``: ``template`` uint8 ``(T, 3, hz, wz)``, ``search`` uint8
      ``(1, 3, hx, wx)`` (BGR, as read).
    - ``data_samples``: :class:`SOTDataSample` with ``gt_instances.bboxes``
      ``(1, 4)`` float32 (search crop px, ``xyxy``), ``gt_instances.labels``
      ``(1,)`` long (``results['label']``, default 1),
      ``template_instances.bboxes`` ``(T, 4)`` float32 (template crop px),
      metainfo ``search_shape (hx, wx)``, ``template_shape (hz, wz)`` and,
      for debugging, ``video_name``, ``template_frame_ids``,
      ``search_frame_id`` when known.

    Testing (one frame with role ``'frame'``):

    - ``inputs``: ``img`` uint8 ``(3, H, W)``.
    - ``data_samples``: ``gt_instances.bboxes`` ``(1, 4)`` float32 (frame
      px), ``visible`` ``(1,)`` bool, ``absent`` / ``cover`` ``(1,)`` long
      (-1 unknown), metainfo ``video_id``, ``video_name``, ``frame_id``,
      ``video_length``, ``ori_shape (H, W)``, ``img_path``.
    """

    def transform(self, results: dict) -> dict:
        frames = results['frames']
        roles = [f.get('role') for f in frames]
        if roles == ['frame']:
            return self._pack_test(results, frames[0])
        templates = [f for f in frames if f.get('role') == 'template']
        searches = [f for f in frames if f.get('role') == 'search']
        if not templates or len(searches) != 1 or \
                len(templates) + 1 != len(frames):
            raise ValueError(
                f'{type(self).__name__}: expected templates and one search '
                f'frame, or one test frame; got roles {roles}')
        return self._pack_train(results, templates, searches[0])

    @staticmethod
    def _pack_train(results: dict, templates: List[dict],
                    search: dict) -> dict:
        template = _stack(templates)
        search_img = _stack([search])
        sample = SOTDataSample(
            metainfo=dict(
                search_shape=tuple(search_img.shape[-2:]),
                template_shape=tuple(template.shape[-2:])))
        extra = dict(
            template_frame_ids=[f.get('frame_id') for f in templates],
            search_frame_id=search.get('frame_id'))
        if 'video_name' in results:
            extra['video_name'] = results['video_name']
        sample.set_metainfo(extra)
        sample.gt_instances = InstanceData(
            bboxes=_boxes([search]),
            labels=torch.tensor([int(results.get('label', 1))],
                                dtype=torch.long))
        sample.template_instances = InstanceData(bboxes=_boxes(templates))
        return dict(
            inputs=dict(template=template, search=search_img),
            data_samples=sample)

    @staticmethod
    def _pack_test(results: dict, frame: dict) -> dict:
        img = _to_chw(frame['img'])
        sample = SOTDataSample(
            metainfo=dict(
                video_id=results.get('video_id'),
                video_name=results.get('video_name'),
                frame_id=frame.get('frame_id'),
                video_length=results.get('video_length'),
                ori_shape=tuple(frame.get('ori_shape', img.shape[-2:])),
                img_path=frame.get('img_path')))
        sample.gt_instances = InstanceData(
            bboxes=_boxes([frame]),
            visible=torch.tensor([bool(frame.get('visible', True))]),
            absent=torch.tensor([int(results.get('absent', -1))],
                                dtype=torch.long),
            cover=torch.tensor([int(results.get('cover', -1))],
                               dtype=torch.long))
        return dict(inputs=dict(img=img), data_samples=sample)
