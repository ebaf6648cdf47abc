"""Packing of the results dict into model inputs and an SOTDataSample."""
from typing import Dict, List

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


def _masks(frames: List[dict]) -> torch.Tensor:
    masks = []
    for f in frames:
        mask = f.get('padding_mask')
        if mask is None:
            mask = np.zeros(f['img'].shape[:2], dtype=bool)
        masks.append(np.asarray(mask, dtype=bool))
    return torch.from_numpy(np.stack(masks))


@TRANSFORMS.register_module()
class PackSOTInputs(BaseTransform):
    """Pack a results dict into ``dict(inputs=..., data_samples=...)``.

    Training (one ``'search'`` frame, one or more ``'template'`` frames and
    any other roles, e.g. ``'online_template'`` or a derived
    ``'transfer_target'``), for every role ``r`` present:

    - ``inputs[r]``: uint8 ``(n, 3, h, w)`` (BGR, as read; the frames of the
      role in order, ``n = 1`` for the search role) and
      ``inputs[f'{r}_padding_mask']``: bool ``(n, h, w)``, True on padding
      (all False for a frame without a ``padding_mask``).
    - ``data_samples``: :class:`SOTDataSample` with ``gt_instances.bboxes``
      ``(1, 4)`` float32 (search crop px, ``xyxy``) and
      ``gt_instances.labels`` ``(1,)`` long (``results['label']``, default
      1) for the search frame; ``{r}_instances.bboxes`` ``(n, 4)`` float32
      (the role's crop px) for every other role (``template_instances``...);
      metainfo ``{r}_shape (h, w)`` for every role (``search_shape``,
      ``template_shape``...) and, for debugging, ``video_name``,
      ``template_frame_ids``, ``search_frame_id`` when known.

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
        if roles.count('search') != 1 or 'template' not in roles or \
                None in roles or 'frame' in roles:
            raise ValueError(
                f'{type(self).__name__}: expected one search frame and '
                f'template(s) (and other named roles), or one test frame; '
                f'got roles {roles}')
        by_role: Dict[str, List[dict]] = {}
        for frame in frames:
            by_role.setdefault(frame['role'], []).append(frame)
        return self._pack_train(results, by_role)

    @staticmethod
    def _pack_train(results: dict, by_role: Dict[str, List[dict]]) -> dict:
        inputs, shapes = {}, {}
        for role, group in by_role.items():
            try:
                inputs[role] = _stack(group)
            except ValueError as e:
                raise ValueError(f'role {role!r}: {e}') from None
            inputs[f'{role}_padding_mask'] = _masks(group)
            shapes[f'{role}_shape'] = tuple(inputs[role].shape[-2:])
        templates, search = by_role['template'], by_role['search'][0]
        sample = SOTDataSample(metainfo=shapes)
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
        for role, group in by_role.items():
            if role != 'search':
                sample.set_field(
                    InstanceData(bboxes=_boxes(group)), f'{role}_instances')
        return dict(inputs=inputs, data_samples=sample)

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
