"""Distribution-based (GFL) head with a quality-aware score (JN)."""
from typing import Dict, List, Optional

import torch
import torch.nn as nn
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures import SOTDataSample, aligned_iou
from ..losses import integral, normalizer
from .base_sot_head import BaseSOTHead, conv_branch
from .dense_targets import box_gaussian_weights, cell_centres, inside_box_cells


@MODELS.register_module()
class GFLHead(BaseSOTHead):
    """Quality score and ``l, t, r, b`` distance distributions per cell.

    Two conv towers (``in -> ch -> ... -> ch / 2**(num_convs-1)``,
    Conv3x3-BN-ReLU, OSTrack's branch shape) end in 1x1 convs: the
    classification logit ``C`` (1 channel) and ``4 x (reg_max + 1)``
    logits of the distances from the cell centre to the four box sides, in
    cells, over the bins ``0..reg_max`` (JN Eq. 1: the distance is the
    expectation). The *aware path* (JN Eqs. 2-3, GFLv2's DGQP) reads each
    side's distribution: its ``topk`` largest probabilities and their mean,
    ``4 x (topk + 1)`` values, through a small MLP (1x1 convs, ReLU, sigmoid)
    to a certainty ``M(F)``; the score is ``sigmoid(C) * M(F)`` (without the
    aware path ``sigmoid(C)``).

    Training (JN Eq. 10): the score is trained with quality focal loss on
    every cell, towards the IoU of the cell's (detached) decoded box with
    the target for cells inside the target box of a positive pair and
    towards 0 elsewhere (every cell of a negative pair); the cells inside
    the box also train their box with L1 and GIoU (normalised
    coordinates) and their distributions with DFL. Normalisers: positive
    pairs' terms are divided by ``N_pos``, the number of positive cells;
    the QFL of negative pairs by ``N_neg``, the number of negative pairs
    (both averaged over processes). Negative pairs get no box loss.

    Args:
        in_channels: channels of the search feature map.
        feat_channels: width of the first conv of each tower.
        num_convs: convs per tower.
        reg_max: ``n``, the largest distance in cells (bins ``0..n``).
        topk: probabilities per side read by the aware path (0 disables
            the aware path).
        aware_channels: hidden width of the aware path.
        box_weight: how the positive cells share the box and DFL losses:
            ``'uniform'`` (JN reading: every cell inside the box alike),
            ``'quality'`` (GFL, LiteTrack: by the cell's detached predicted
            score) or ``'gaussian'`` (by an elliptical Gaussian of the box,
            1 at the centre cell, :func:`box_gaussian_weights`, as the
            centre head's dense regression); the losses are averaged over
            the weights.
        center_radius: ``None`` (JN: every cell inside the box is a
            positive) or a radius in cells: only cells inside the box and
            within it of the box centre are positives (FCOS centre
            sampling); the quality map then peaks nearer the centre, whose
            boxes are easier, at the cost of fewer supervised cells.
        quality_target: the QFL target of a positive cell: ``'iou'`` (JN,
            GFL: the IoU of its decoded box) or ``'iou_gaussian'`` (that
            IoU times an elliptical Gaussian of the box, 1 at the centre
            cell, :func:`box_gaussian_weights`; the variant left unused in
            LiteTrack): the score map then peaks at the box centre from the
            first iterations, as a centre head's does, instead of anywhere
            inside the box.
        loss_qfl, loss_dfl, loss_bbox, loss_iou: loss configs (JN:
            QFL 1, DFL 0.2, L1 5, GIoU 2).
    """

    def __init__(self,
                 in_channels: int,
                 feat_channels: int = 256,
                 num_convs: int = 4,
                 reg_max: int = 16,
                 topk: int = 4,
                 aware_channels: int = 64,
                 box_weight: str = 'uniform',
                 center_radius: Optional[float] = None,
                 quality_target: str = 'iou',
                 loss_qfl: dict = dict(
                     type='QualityFocalLoss', use_sigmoid=False, beta=2.0,
                     loss_weight=1.0),
                 loss_dfl: dict = dict(
                     type='DistributionFocalLoss', loss_weight=0.2),
                 loss_bbox: dict = dict(type='L1Loss', loss_weight=5.0),
                 loss_iou: dict = dict(type='GIoULoss', loss_weight=2.0),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if reg_max < 1:
            raise ValueError(f'reg_max must be >= 1, got {reg_max}')
        if not 0 <= topk <= reg_max + 1:
            raise ValueError(
                f'topk must be in [0, reg_max + 1 = {reg_max + 1}], got '
                f'{topk}')
        if loss_qfl.get('use_sigmoid', True):
            raise ValueError(
                'GFLHead scores are probabilities (sigmoid(C) * M(F)): '
                "loss_qfl needs use_sigmoid=False")
        self.reg_max, self.topk = int(reg_max), int(topk)
        if box_weight not in ('uniform', 'quality', 'gaussian'):
            raise ValueError("box_weight must be 'uniform', 'quality' or "
                             f"'gaussian', got {box_weight!r}")
        self.box_weight = box_weight
        if center_radius is not None and center_radius <= 0:
            raise ValueError(
                f'center_radius must be > 0 cells or None, got '
                f'{center_radius}')
        self.center_radius = center_radius
        if quality_target not in ('iou', 'iou_gaussian'):
            raise ValueError("quality_target must be 'iou' or "
                             f"'iou_gaussian', got {quality_target!r}")
        self.quality_target = quality_target
        self.cls_branch = conv_branch(in_channels, feat_channels, num_convs, 1)
        self.reg_branch = conv_branch(in_channels, feat_channels, num_convs,
                                      4 * (self.reg_max + 1))
        self.aware = None
        if self.topk > 0:
            self.aware = nn.Sequential(
                nn.Conv2d(4 * (self.topk + 1), aware_channels, 1),
                nn.ReLU(inplace=True), nn.Conv2d(aware_channels, 1, 1),
                nn.Sigmoid())
        self.loss_qfl = MODELS.build(loss_qfl)
        self.loss_dfl = MODELS.build(loss_dfl)
        self.loss_bbox = MODELS.build(loss_bbox)
        self.loss_iou = MODELS.build(loss_iou)
        self._init_weights()

    def _init_weights(self) -> None:
        """Xavier convs; the class logit starts at a prior of 0.01 (GFL);
        the aware path's convs at N(0, 0.01) (GFLv2)."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        nn.init.constant_(self.cls_branch[-1].bias, -4.595)  # logit(0.01)
        if self.aware is not None:
            for m in self.aware.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.normal_(m.weight, std=0.01)
                    nn.init.zeros_(m.bias)

    def forward(self, feats: Tensor) -> Dict[str, Tensor]:
        """Returns ``score`` ``(B, 1, H, W)`` in [0, 1], ``dist`` ``(B, 4,
        n + 1, H, W)`` distance logits (sides ``l, t, r, b``) and
        ``distance`` ``(B, 4, H, W)`` their expectations in cells."""
        b, _, h, w = feats.shape
        cls = self.cls_branch(feats).float()
        dist = self.reg_branch(feats).float().view(b, 4, self.reg_max + 1, h,
                                                   w)
        score = cls.sigmoid()
        if self.aware is not None:
            prob = dist.softmax(dim=2)
            top = prob.topk(self.topk, dim=2).values
            stats = torch.cat([top, top.mean(dim=2, keepdim=True)], dim=2)
            score = score * self.aware(stats.flatten(1, 2))
        distance = integral(dist.permute(0, 1, 3, 4, 2))
        return dict(score=score, dist=dist, distance=distance)

    def decode_all(self, outs: Dict[str, Tensor]) -> Tensor:
        """Boxes at every cell: ``(B, H, W, 4)`` xyxy normalised to the
        map."""
        distance = outs['distance']
        h, w = distance.shape[-2:]
        centres = cell_centres(h, w, distance.device, distance.dtype)
        l, t, r, b = distance.unbind(1)
        x, y = centres[..., 0], centres[..., 1]
        boxes = torch.stack([x - l, y - t, x + r, y + b], dim=-1)
        return boxes / boxes.new_tensor([w, h, w, h])

    def size_map(self, outs: Dict[str, Tensor]) -> Tensor:
        boxes = self.decode_all(outs)
        return (boxes[..., 2:] - boxes[..., :2]).permute(0, 3, 1, 2)

    def loss_by_feat(self, outs: Dict[str, Tensor],
                     data_samples: List[SOTDataSample]) -> Dict[str, Tensor]:
        score, dist = outs['score'], outs['dist']
        b, _, h, w = score.shape
        gt_boxes, positive = self.get_targets(data_samples, score.device)
        inside = inside_box_cells(gt_boxes, positive, (h, w),
                                  self.center_radius)
        pred_boxes = self.decode_all(outs)
        gt_cells = gt_boxes[:, None, None].expand_as(pred_boxes)
        # QFL: IoU of the detached box inside the target, 0 elsewhere
        iou = aligned_iou(pred_boxes.detach(), gt_cells).clamp(min=0)
        gauss = None
        if self.quality_target == 'iou_gaussian' or \
                self.box_weight == 'gaussian':
            gauss = box_gaussian_weights(gt_boxes, positive, (h, w))
        if self.quality_target == 'iou_gaussian':
            iou = iou * gauss
        quality = torch.where(inside, iou, torch.zeros_like(iou))
        n_pos = normalizer(inside.sum())
        pos_pair = positive[:, None, None].expand_as(inside).to(score.dtype)
        losses = dict(
            loss_qfl=self.loss_qfl(score[:, 0], quality, pos_pair, n_pos) +
            self.loss_qfl(score[:, 0], quality, 1 - pos_pair,
                          normalizer((~positive).sum())))
        # boxes and distributions of the cells inside the target
        weight = inside.to(score.dtype)
        if self.box_weight == 'quality':
            weight = weight * score[:, 0].detach()
        elif self.box_weight == 'gaussian':
            weight = weight * gauss
        avg = n_pos if self.box_weight == 'uniform' else normalizer(
            weight.sum(), minimum=1e-6)
        losses['loss_bbox'] = self.loss_bbox(pred_boxes, gt_cells, weight,
                                             avg)
        losses['loss_iou'] = self.loss_iou(pred_boxes, gt_cells, weight, avg)
        # DFL on l, t, r, b in cells, clamped into the bins
        centres = cell_centres(h, w, score.device)
        scaled = gt_boxes * gt_boxes.new_tensor([w, h, w, h])
        x, y = centres[..., 0][None], centres[..., 1][None]
        targets = torch.stack([
            x - scaled[:, 0, None, None], y - scaled[:, 1, None, None],
            scaled[:, 2, None, None] - x, scaled[:, 3, None, None] - y
        ], dim=1).clamp(0, self.reg_max - 0.01)  # (B, 4, H, W)
        logits = dist.permute(0, 1, 3, 4, 2).reshape(-1, self.reg_max + 1)
        side_weight = weight[:, None].expand(-1, 4, -1, -1).reshape(-1)
        losses['loss_dfl'] = self.loss_dfl(logits, targets.reshape(-1),
                                           side_weight, avg * 4)
        return losses

    def predict_by_feat(self, outs: Dict[str, Tensor],
                        score_window=None) -> Dict[str, Tensor]:
        score = outs['score']
        peak_map = score_window(score) if score_window is not None else score
        b = score.shape[0]
        idx = peak_map.flatten(1).argmax(dim=1)
        boxes = self.decode_all(outs).flatten(1, 2)[torch.arange(b), idx]
        scores = score.flatten(1).gather(1, idx[:, None])[:, 0]
        return dict(bboxes=boxes, scores=scores, score_map=score)
