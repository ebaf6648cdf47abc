"""Base class of single-object trackers."""
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.model import BaseModel
from mmengine.structures import InstanceData
from torch import Tensor

from mmtrack_ext.registry import MODELS, TASK_UTILS
from mmtrack_ext.structures import (SOTDataSample, box_from_crop, clip_boxes,
                                    crop_and_resize, crop_window,
                                    cxcywh_to_xyxy, xyxy_to_cxcywh)


@dataclass
class TrackingState:
    """Everything a tracker remembers about one video between frames.

    Attributes:
        bbox: ``(4,)`` xyxy box of the target in the last frame, frame px.
        memory: the backbone's template memory (``encode_template`` output).
        score: confidence of the last prediction in [0, 1].
        frame_id: index of the last processed frame.
        extras: per-method additions (online templates, updater state...).
    """
    bbox: Tensor
    memory: Any
    score: float = 1.0
    frame_id: int = 0
    extras: Dict[str, Any] = field(default_factory=dict)


class BaseSOTTracker(BaseModel):
    """Crop-and-match tracker over a backbone, an optional neck and a head.

    Training (``loss``): the data preprocessor gives ``template``
    ``(B, T, 3, hz, wz)`` and ``search`` ``(B, 3, hx, wx)``; features are
    ``head(neck(backbone(template, search)))``.

    Tracking (``predict``, ``init``/``track``): on frame 0 the template is
    cropped around the given box (``template_factor`` times its size, resized
    to ``template_size``) and encoded once; every next frame a search area of
    ``search_factor`` times the last box, resized to ``search_size``, is
    encoded against that memory, the head's box (optionally after a score
    window) is mapped back to the frame and clipped (``clip_margin`` px kept
    inside). The state of each video lives in a :class:`TrackingState` keyed
    by video id.

    Args:
        backbone, neck, head: component configs.
        test_cfg: ``template_factor``, ``template_size``, ``search_factor``,
            ``search_size``, ``window`` (a TASK_UTILS config such as
            ``dict(type='HanningWindow')`` or ``None``), ``clip_margin``,
            ``num_templates`` (copies of the first template, for backbones
            trained with several), ``size_lr`` (in (0, 1], default 1: box
            size update rate; below 1 the new width and height are
            ``prev * (1 - r) + pred * r`` with ``r = size_lr * score``, the
            SiamRPN/SiamCAR/TransT size smoothing; the centre is not
            smoothed), ``min_score`` (default 0: off; when the confidence
            is below it the target counts as not found and the previous box
            is kept, as pytracking's ``target_not_found_threshold``),
            ``size_penalty`` (a TASK_UTILS config such as
            ``dict(type='SizeChangePenalty', k=0.04)`` or ``None``: damps
            candidates whose size or aspect differs from the previous box
            before the window is applied; needs a head with a per-cell
            ``size`` map, such as :class:`CenterHead`), ``redetect``
            (``None``: off; or ``dict(score_thr, search_factor,
            search_size)``: after a frame whose confidence is below
            ``score_thr`` the next search area is ``search_factor`` times
            the box, resized to ``search_size`` px — keep
            ``search_size / search_factor`` as in the normal area so the
            target keeps the scale it was trained at; needs a backbone that
            accepts other search sizes, such as :class:`OneStreamViT`).
        data_preprocessor: config of the data preprocessor.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 neck: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='SOTDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            # build from this registry so no default scope is needed
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck) if neck is not None else None
        self.head = MODELS.build(head)
        test_cfg = dict(test_cfg or {})
        self.template_factor = float(test_cfg.get('template_factor', 2.0))
        self.template_size = int(test_cfg.get('template_size', 128))
        self.search_factor = float(test_cfg.get('search_factor', 4.0))
        self.search_size = int(test_cfg.get('search_size', 256))
        self.clip_margin = float(test_cfg.get('clip_margin', 10))
        self.num_templates = int(test_cfg.get('num_templates', 1))
        self.size_lr = float(test_cfg.get('size_lr', 1.0))
        self.min_score = float(test_cfg.get('min_score', 0.0))
        if not 0. < self.size_lr <= 1.:
            raise ValueError(
                f'test_cfg.size_lr must be in (0, 1], got {self.size_lr}')
        window = test_cfg.get('window', None)
        self.score_window = TASK_UTILS.build(window) if window else None
        penalty = test_cfg.get('size_penalty', None)
        self.size_penalty = TASK_UTILS.build(penalty) if penalty else None
        self.redetect = self._redetect_cfg(test_cfg.get('redetect', None))
        self._states: Dict[Any, TrackingState] = {}

    @staticmethod
    def _redetect_cfg(cfg: Optional[dict]) -> Optional[Tuple[float, float,
                                                             int]]:
        """``(score_thr, search_factor, search_size)`` or ``None``."""
        if not cfg:
            return None
        keys = {'score_thr', 'search_factor', 'search_size'}
        if set(cfg) != keys:
            raise KeyError(f'test_cfg.redetect needs exactly the keys '
                           f'{sorted(keys)}, got {sorted(cfg)}')
        return (float(cfg['score_thr']), float(cfg['search_factor']),
                int(cfg['search_size']))

    # ------------------------------------------------------------ training
    def extract_feat(self, template: Tensor, search: Tensor) -> Tensor:
        """Search features ``(B, C, H, W)`` for the head."""
        feats = self.backbone(template, search)
        return self.neck(feats) if self.neck is not None else feats

    def loss(self, inputs: Dict[str, Tensor],
             data_samples: List[SOTDataSample]) -> Dict[str, Tensor]:
        feats = self.extract_feat(inputs['template'], inputs['search'])
        return self.head.loss(feats, data_samples)

    def _forward(self, inputs: Dict[str, Tensor], data_samples=None):
        feats = self.extract_feat(inputs['template'], inputs['search'])
        return self.head(feats)

    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}". Only supports loss, '
                           'predict and tensor mode')

    # ------------------------------------------------------------ tracking
    def _crop(self, img: Tensor, bbox: Tensor, factor: float, size: int):
        window = crop_window(bbox, factor)
        crop, _ = crop_and_resize(img, window, size)
        return self.data_preprocessor.normalize(crop)[None], window

    def encode_template(self, img: Tensor, bbox: Tensor) -> Any:
        """Crop and encode the template of ``bbox`` in ``img``."""
        template, _ = self._crop(img, bbox, self.template_factor,
                                 self.template_size)
        if self.num_templates > 1:
            template = template[:, None].expand(-1, self.num_templates, -1,
                                                -1, -1)
        return self.backbone.encode_template(template)

    @torch.no_grad()
    def init(self, img: Tensor, bbox: Tensor) -> TrackingState:
        """Start tracking ``bbox`` (``(4,)`` xyxy, frame px) in ``img``
        (``(3, H, W)`` uint8 BGR tensor on the model's device)."""
        bbox = bbox.reshape(4).to(img.device, torch.float32)
        return TrackingState(
            bbox=bbox, memory=self.encode_template(img, bbox), score=1.0)

    @torch.no_grad()
    def track(self, img: Tensor,
              state: TrackingState) -> Tuple[Tensor, float]:
        """Locate the target in the next frame and update ``state``.

        Returns:
            tuple: ``(4,)`` xyxy box in frame px and the confidence.
        """
        factor, size = self.search_factor, self.search_size
        if self.redetect is not None and state.score < self.redetect[0]:
            factor, size = self.redetect[1:]
        search, window = self._crop(img, state.bbox, factor, size)
        feats = self.backbone.encode_search(search, state.memory)
        if self.neck is not None:
            feats = self.neck(feats)
        if self.size_penalty is None:
            out = self.head.predict(feats, score_window=self.score_window)
        else:
            out = self._predict_with_size_penalty(feats, state.bbox, window)
        box = box_from_crop(out['bboxes'][0].float() * size, window, size)
        score = float(out['scores'][0])
        if score < self.min_score:  # not found: keep the last box
            box = state.bbox
        else:
            if self.size_lr < 1.:
                box = self._smooth_size(box, state.bbox,
                                        self.size_lr * score)
            box = clip_boxes(box, img.shape[-2:], self.clip_margin)
        state.bbox = box
        state.score = score
        state.frame_id += 1
        return box, state.score

    def _predict_with_size_penalty(self, feats: Tensor, prev_box: Tensor,
                                   window) -> Dict[str, Tensor]:
        """``head.predict`` with the score map multiplied by the size-change
        penalty of every cell (then the window, if any)."""
        outs = self.head(feats)
        if 'size' not in outs:
            raise KeyError(
                f'test_cfg.size_penalty needs a head with a per-cell "size" '
                f'map; {type(self.head).__name__} gives {sorted(outs)}')
        prev = (prev_box[2:] - prev_box[:2]) / window.side
        penalty = self.size_penalty(outs['size'], prev)

        def peak_map(score: Tensor) -> Tensor:
            score = score * penalty
            return self.score_window(score) if self.score_window else score

        return self.head.predict_by_feat(outs, score_window=peak_map)

    @staticmethod
    def _smooth_size(box: Tensor, prev: Tensor, rate: float) -> Tensor:
        """``box`` (xyxy) with its size moved from ``prev``'s by ``rate``."""
        # on the host: one (4,) box per frame, tensor ops would dominate
        cx, cy, w, h = xyxy_to_cxcywh(np.asarray(box.tolist()))
        _, _, pw, ph = xyxy_to_cxcywh(np.asarray(prev.tolist()))
        w = pw * (1 - rate) + w * rate
        h = ph * (1 - rate) + h * rate
        return box.new_tensor(cxcywh_to_xyxy(np.array([cx, cy, w, h])))

    def predict(self, inputs: Dict[str, Union[Tensor, List[Tensor]]],
                data_samples: List[SOTDataSample]) -> List[SOTDataSample]:
        """Track frame by frame; fills ``pred_instances`` of every sample.

        Frame 0 of a video initialises the tracker with the ground-truth box
        (the prediction is that box, score 1); later frames are tracked.
        Frames of one video must arrive in order (the video sampler ensures
        it); the state is dropped after the last frame.
        """
        for img, sample in zip(inputs['img'], data_samples):
            start = time.perf_counter()
            video_id = sample.metainfo.get('video_id')
            frame_id = sample.metainfo['frame_id']
            if frame_id == 0:
                box = sample.gt_instances.bboxes.reshape(-1, 4)[0]
                state = self.init(img, box)
                self._states[video_id] = state
                box, score = state.bbox, 1.0
            else:
                state = self._states.get(video_id)
                if state is None or state.frame_id != frame_id - 1:
                    raise RuntimeError(
                        f'video {sample.metainfo.get("video_name")}: frame '
                        f'{frame_id} arrived without frame {frame_id - 1}; '
                        'test frames must come in video order (use '
                        'VideoSampler)')
                box, score = self.track(img, state)
            if frame_id + 1 >= sample.metainfo.get('video_length', 1 << 62):
                self._states.pop(video_id, None)
            sample.pred_instances = InstanceData(
                bboxes=box.reshape(1, 4).float().cpu(),
                scores=torch.tensor([score], dtype=torch.float32))
            sample.set_metainfo(
                dict(track_time=time.perf_counter() - start))
        return data_samples
