"""Base class of single-object trackers."""
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.structures import InstanceData
from torch import Tensor

from mmtrack_ext.registry import MODELS, TASK_UTILS
from mmtrack_ext.structures import (CropWindow, SOTDataSample, box_from_crop,
                                    box_to_crop, clip_boxes, crop_and_resize,
                                    crop_window, cxcywh_to_xyxy,
                                    xyxy_to_cxcywh)
from mmtrack_ext.structures.backbone_output import BackboneOutput
from ..data_preprocessors import build_data_preprocessor
from ..utils.freezing import ModuleFreezer
from .tracking_config import TrackingConfig


def _prefixed(prefix: str, losses: Dict[str, Tensor]) -> Dict[str, Tensor]:
    return {f'{prefix}.{k}': v for k, v in losses.items()}


def template_boxes_from_samples(data_samples: List[SOTDataSample],
                                device) -> Tensor:
    """``(B, T, 4)`` template target boxes, ``xyxy`` normalised to each
    template crop, from ``template_instances`` of packed training
    samples."""
    boxes = []
    for sample in data_samples:
        h, w = sample.metainfo['template_shape'][:2]
        box = sample.template_instances.bboxes.reshape(-1, 4).float()
        boxes.append(box / box.new_tensor([w, h, w, h]))
    return torch.stack(boxes).to(device)


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
    ``(B, T, 3, hz, wz)``, ``search`` ``(B, 3, hx, wx)`` and the other roles
    and padding masks of the pipeline; the backbone (with the extras it
    accepts, :meth:`training_extras`) returns a
    :class:`~mmtrack_ext.structures.BackboneOutput`, the neck replaces its
    search map, and the losses are summed: the head's (unprefixed), the
    score head's (``score_head.*``) and each auxiliary head's
    (``{name}.*``). Heads whose parameters are all frozen compute no loss;
    a backbone whose parameters are all frozen runs without autograd.

    Tracking (``predict``, ``init``/``track``): on frame 0 the template is
    cropped around the given box (``template_factor`` times its size, resized
    to ``template_size``) and encoded once with its extras (the box in the
    crop, the padding mask: :meth:`crop_extras`); every next frame a search
    area of ``search_factor`` times the last box, resized to ``search_size``,
    is encoded against that memory, the head's box (optionally after a score
    window) is mapped back to the frame and clipped (``clip_margin`` px kept
    inside). The state of each video lives in a :class:`TrackingState` keyed
    by video id.

    Args:
        backbone, neck, head: component configs (the head takes
            ``BackboneOutput.search``).
        score_head: optional confidence head (``loss(feats, data_samples)``
            and ``predict(feats) -> (B,)`` on the whole
            :class:`BackboneOutput`), e.g. :class:`MLPScoreHead`.
        aux_heads: optional ``{name: config}`` of training-only heads
            (reconstruction decoders...) with ``loss(feats, inputs,
            data_samples)``; absent from tracking.
        frozen_modules: module paths frozen for training (no gradient, eval
            mode: no drop-path, no BatchNorm updates), e.g.
            ``['backbone', 'neck', 'head']`` to train only a score head.
        trainable_modules: module paths inside frozen ones that stay
            trainable (e.g. the last blocks of a frozen encoder).
        test_cfg: tracking settings, validated by
            :class:`~.tracking_config.TrackingConfig` (an unknown key
            raises).
        data_preprocessor: config of the data preprocessor.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 neck: Optional[dict] = None,
                 score_head: Optional[dict] = None,
                 aux_heads: Optional[Dict[str, dict]] = None,
                 frozen_modules: Sequence[str] = (),
                 trainable_modules: Sequence[str] = (),
                 test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            data_preprocessor=build_data_preprocessor(data_preprocessor),
            init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck) if neck is not None else None
        self.head = MODELS.build(head)
        self.score_head = (MODELS.build(score_head)
                           if score_head is not None else None)
        self.aux_heads = nn.ModuleDict(
            {name: MODELS.build(cfg)
             for name, cfg in (aux_heads or {}).items()})
        self.test_cfg = TrackingConfig.from_dict(test_cfg)
        cfg = self.test_cfg
        self.template_size = self._crop_size('template', cfg.template_size)
        self.search_size = self._crop_size('search', cfg.search_size)
        self.template_factor = float(cfg.template_factor)
        self.search_factor = float(cfg.search_factor)
        self.score_window = (TASK_UTILS.build(cfg.window)
                             if cfg.window else None)
        self.size_penalty = (TASK_UTILS.build(cfg.size_penalty)
                             if cfg.size_penalty else None)
        if cfg.score_source == 'score_head' and self.score_head is None:
            raise ValueError("test_cfg.score_source='score_head' needs a "
                             'score_head')
        self._check_head_sizes()
        self.freezer = ModuleFreezer(self, frozen_modules, trainable_modules)
        self.freezer.apply_eval()
        self._states: Dict[Any, TrackingState] = {}

    def _crop_size(self, role: str, size: Optional[int]) -> int:
        """The crop size of ``role``: ``test_cfg``'s, else the backbone's;
        a template size that the backbone cannot take raises."""
        own = getattr(self.backbone, f'{role}_size', None)
        own = own[0] if isinstance(own, (tuple, list)) else own
        if size is None:
            if own is None:
                raise KeyError(
                    f'test_cfg.{role}_size is needed: '
                    f'{type(self.backbone).__name__} does not define it')
            return int(own)
        if role == 'template' and own is not None and int(size) != own:
            raise ValueError(
                f'test_cfg.template_size={size} but the backbone was built '
                f'for {own} px templates')
        return int(size)

    def _check_head_sizes(self) -> None:
        """Let the head refuse, now rather than mid-video, a search map
        size it cannot take (``search_size``, re-detection's
        ``search_size``) at the backbone's ``out_stride``."""
        stride = getattr(self.backbone, 'out_stride', None)
        if not stride:
            return
        sizes = {self.search_size}
        if self.test_cfg.redetect:
            sizes.add(int(self.test_cfg.redetect['search_size']))
        for size in sorted(sizes):
            self.head.check_feat_size((size // stride, size // stride))

    def train(self, mode: bool = True):
        super().train(mode)
        self.freezer.apply_eval()
        return self

    # ------------------------------------------------------------ training
    def training_extras(self, inputs: Dict[str, Tensor],
                        data_samples: List[SOTDataSample]
                        ) -> Dict[str, Tensor]:
        """The extras the backbone accepts, built from a training batch.

        ``template_boxes`` ``(B, T, 4)``: each template's target box in its
        crop, ``xyxy`` normalised to ``[0, 1]``; ``template_padding_mask``
        ``(B, T, h, w)`` and ``search_padding_mask`` ``(B, H, W)`` from the
        pipeline's masks.
        """
        wanted = set(self.backbone.accepted_extras)
        extras = {}
        if 'template_boxes' in wanted:
            extras['template_boxes'] = template_boxes_from_samples(
                data_samples, inputs['template'].device)
        for key in ('template_padding_mask', 'search_padding_mask'):
            if key in wanted:
                if key not in inputs:
                    raise KeyError(
                        f'{type(self.backbone).__name__} uses {key}, but '
                        'the batch has none (the pipeline must crop with '
                        'SearchAreaCrop and pack with PackSOTInputs)')
                extras[key] = inputs[key]
        return extras

    def extract_feat(self, inputs: Dict[str, Tensor],
                     data_samples: Optional[List[SOTDataSample]] = None
                     ) -> BackboneOutput:
        """Backbone (and neck) features of a training batch."""
        extras = self.training_extras(inputs, data_samples or [])
        grad = not ModuleFreezer.all_frozen(self.backbone.parameters())
        with torch.set_grad_enabled(grad and torch.is_grad_enabled()):
            feats = self.backbone(inputs['template'], inputs['search'],
                                  **extras)
        return self.neck(feats) if self.neck is not None else feats

    def loss(self, inputs: Dict[str, Tensor],
             data_samples: List[SOTDataSample]) -> Dict[str, Tensor]:
        feats = self.extract_feat(inputs, data_samples)
        losses = {}
        if not ModuleFreezer.all_frozen(self.head.parameters()):
            losses.update(self.head.loss(feats.search, data_samples))
        if self.score_head is not None and not ModuleFreezer.all_frozen(
                self.score_head.parameters()):
            losses.update(_prefixed(
                'score_head', self.score_head.loss(feats, data_samples)))
        for name, aux in self.aux_heads.items():
            if not ModuleFreezer.all_frozen(aux.parameters()):
                losses.update(_prefixed(
                    name, aux.loss(feats, inputs, data_samples)))
        if not losses:
            raise RuntimeError('every head is frozen: nothing to train '
                               '(check frozen_modules)')
        return losses

    def _forward(self, inputs: Dict[str, Tensor], data_samples=None):
        feats = self.extract_feat(inputs, data_samples)
        outs = self.head(feats.search)
        if self.score_head is not None:
            outs['score_head'] = self.score_head(feats)
        return outs

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
    def crop(self, img: Tensor, bbox: Tensor, factor: float,
             size: int) -> Tuple[Tensor, Tensor, CropWindow]:
        """Crop ``factor`` times ``bbox`` of ``img`` to ``size`` px.

        Returns:
            tuple: the normalised crop ``(1, 3, size, size)``, its padding
            mask ``(1, size, size)`` bool and the crop window.
        """
        cfg = self.test_cfg
        window = crop_window(bbox, factor, mode=cfg.crop_mode,
                             context_amount=cfg.context_amount)
        crop, mask = crop_and_resize(img, window, size,
                                     pad_value=cfg.pad_value)
        return (self.data_preprocessor.normalize(crop)[None], mask[None],
                window)

    def crop_extras(self, role: str, bbox: Tensor, mask: Tensor,
                    window: CropWindow, size: int) -> Dict[str, Tensor]:
        """The accepted extras of one tracking crop of ``role``
        (``'template'``: ``template_boxes`` ``(1, 1, 4)``,
        ``template_padding_mask`` ``(1, 1, h, w)``; ``'search'``:
        ``search_padding_mask`` ``(1, H, W)``), from the crop window as in
        training."""
        wanted = set(self.backbone.accepted_extras)
        extras = {}
        if role == 'template':
            if 'template_boxes' in wanted:
                box = box_to_crop(bbox.float(), window, size) / size
                extras['template_boxes'] = box.reshape(1, 1, 4)
            if 'template_padding_mask' in wanted:
                extras['template_padding_mask'] = mask[:, None]
        elif 'search_padding_mask' in wanted:
            extras['search_padding_mask'] = mask
        return extras

    def encode_template(self, img: Tensor, bbox: Tensor) -> Any:
        """Crop and encode the template of ``bbox`` (``(4,)`` xyxy frame
        px) in ``img`` with its extras."""
        template, mask, window = self.crop(img, bbox, self.template_factor,
                                           self.template_size)
        extras = self.crop_extras('template', bbox, mask, window,
                                  self.template_size)
        n = self.test_cfg.num_templates
        if n > 1:
            template = template[:, None].expand(-1, n, -1, -1, -1)
            extras = {k: v.expand(-1, n, *v.shape[2:])
                      for k, v in extras.items()}
        return self.backbone.encode_template(template, **extras)

    @torch.no_grad()
    def init(self, img: Tensor, bbox: Tensor) -> TrackingState:
        """Start tracking ``bbox`` (``(4,)`` xyxy, frame px) in ``img``
        (``(3, H, W)`` uint8 BGR tensor on the model's device)."""
        bbox = bbox.reshape(4).to(img.device, torch.float32)
        size = (bbox[2:] - bbox[:2]).tolist()
        return TrackingState(
            bbox=bbox, memory=self.encode_template(img, bbox), score=1.0,
            extras=dict(first_size=tuple(size)))

    @torch.no_grad()
    def track(self, img: Tensor,
              state: TrackingState) -> Tuple[Tensor, float]:
        """Locate the target in the next frame and update ``state``.

        Returns:
            tuple: ``(4,)`` xyxy box in frame px and the confidence.
        """
        cfg = self.test_cfg
        factor, size = self.search_factor, self.search_size
        if cfg.redetect and state.score < cfg.redetect['score_thr']:
            factor = float(cfg.redetect['search_factor'])
            size = int(cfg.redetect['search_size'])
        search, mask, window = self.crop(img, state.bbox, factor, size)
        extras = self.crop_extras('search', state.bbox, mask, window, size)
        feats = self.backbone.encode_search(search, state.memory, **extras)
        if self.neck is not None:
            feats = self.neck(feats)
        out = self.predict_boxes(feats, state.bbox, window, size)
        box = box_from_crop(out['bboxes'][0].float() * size, window, size)
        score = float(out['scores'][0])
        if score < cfg.min_score:  # not found: keep the last box
            box = state.bbox
        else:
            if cfg.size_lr < 1.:
                rate = cfg.size_lr * score * float(out.get('penalty', 1.))
                box = self._smooth_size(box, state.bbox, rate)
            clipped = clip_boxes(box, img.shape[-2:], cfg.clip_margin)
            if cfg.clip_state:
                box = clipped
            else:  # MAT: the state keeps the unclipped box
                h, w = img.shape[-2:]
                if bool((clipped == clipped.new_tensor(
                        [0., 0., w, h])).all()) or not bool(
                            torch.isfinite(box).all()):
                    # ... unless it covers the whole frame: the search
                    # restarts at the frame centre with the first box's
                    # size (MAT's tracker)
                    box = self._restart_box(state, h, w)
                state.bbox, state.score = box, score
                state.frame_id += 1
                return clipped, score
        state.bbox = box
        state.score = score
        state.frame_id += 1
        return box, state.score

    def predict_boxes(self, feats: BackboneOutput, prev_box: Tensor,
                      window: CropWindow, size: int) -> Dict[str, Tensor]:
        """Boxes (normalised to the search crop) and confidences of one
        search crop: the head's decoding with the score window (and the
        size-change penalty, if any) applied to its score map; the
        confidence from the score head where ``test_cfg.score_source``
        says so."""
        if self.size_penalty is None:
            out = self.head.predict(feats.search,
                                    score_window=self.score_window)
        else:
            outs = self.head(feats.search)
            sizes = self.head.size_map(outs)
            if sizes is None:
                raise KeyError(
                    f'test_cfg.size_penalty needs a head with a per-cell '
                    f'size map (size_map()); {type(self.head).__name__} '
                    'has none')
            prev = box_to_crop(prev_box.float(), window, size) / size
            penalty = self.size_penalty(sizes, prev[2:] - prev[:2])

            def peak_map(score: Tensor) -> Tensor:
                score = score * penalty
                return (self.score_window(score)
                        if self.score_window else score)

            out = self.head.predict_by_feat(outs, score_window=peak_map)
            # the chosen box's own penalty also slows its size update
            # (SiamRPN / SiamCAR: lr = penalty * score * size_lr)
            chosen = out['bboxes'][:, 2:] - out['bboxes'][:, :2]
            out['penalty'] = self.size_penalty(
                chosen[:, :, None, None], prev[2:] - prev[:2])[:, 0, 0, 0]
        source = self.test_cfg.score_source
        if self.score_head is not None and source in ('auto', 'score_head'):
            out['scores'] = self.score_head.predict(feats)
        return out

    @staticmethod
    def _restart_box(state: TrackingState, h: int, w: int) -> Tensor:
        """The first box's size at the centre of an ``h x w`` frame."""
        bw, bh = state.extras['first_size']
        return state.bbox.new_tensor([(w - bw) / 2, (h - bh) / 2,
                                      (w + bw) / 2, (h + bh) / 2])

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
            pred = InstanceData(
                bboxes=box.reshape(1, 4).float().cpu(),
                scores=torch.tensor([score], dtype=torch.float32))
            if self.test_cfg.absence_score is not None:
                pred.absent = torch.tensor(
                    [frame_id > 0 and score < self.test_cfg.absence_score])
            sample.pred_instances = pred
            sample.set_metainfo(
                dict(track_time=time.perf_counter() - start))
        return data_samples
