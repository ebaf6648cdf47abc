"""Centre-based box head (OSTrack ``CenterPredictor``)."""
import math
from typing import Dict, List, Optional

import torch
import torch.nn as nn
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures import SOTDataSample, cxcywh_to_xyxy
from ..losses import normalizer
from .base_sot_head import BaseSOTHead, conv_branch
from .dense_targets import box_gaussian_weights, gaussian_heatmap


@MODELS.register_module()
class CenterHead(BaseSOTHead):
    """Score / offset / size branches on the search map (OSTrack).

    Each branch is a conv tower ``in -> ch -> ch/2 -> ch/4 -> ch/8``
    (Conv3x3-BN-ReLU) and a 1x1 conv: the score (sigmoid, target-centre
    probability per cell), the sub-cell offset of the centre (no activation,
    in cells) and the box size (sigmoid, normalised to the search crop).

    Training: Gaussian focal loss on the score map; GIoU and L1 on boxes of
    positive pairs only, decoded where ``regression`` says:

    - ``'peak'`` (OSTrack): the one box at the predicted peak. Early in
      training the peak is often elsewhere, and the offset and size of a
      wrong cell are pulled towards the target.
    - ``'dense'`` (TTFNet): the box decoded at every cell inside the target
      box, weighted by an elliptical Gaussian (:func:`box_gaussian_weights`,
      ``dense_beta``), the centre cell with weight 1; losses are averaged over
      the weights. Every positive sample trains several cells from the first
      iteration, which speeds up short trainings.

    Args:
        in_channels: channels of the search feature map.
        feat_channels: width of the first conv of each tower.
        num_convs: convs per tower.
        regression: ``'peak'`` or ``'dense'`` (see above).
        dense_beta: Gaussian size relative to the box (``'dense'``).
        negative_normalizer: how the heatmap loss of negative pairs (an
            all-zero map) is normalised: ``'positives'`` (OSTrack, one sum
            over the batch divided by the number of positive cells) or
            ``'negatives'`` (JN Eq. 6: positive pairs' term over the
            positive cells plus negative pairs' term over the number of
            negative pairs).
        loss_heatmap, loss_bbox, loss_iou: loss configs.
    """

    def __init__(self,
                 in_channels: int,
                 feat_channels: int = 256,
                 num_convs: int = 4,
                 regression: str = 'peak',
                 dense_beta: float = 1.0,
                 negative_normalizer: str = 'positives',
                 loss_heatmap: dict = dict(
                     type='GaussianFocalLoss', loss_weight=1.0),
                 loss_bbox: dict = dict(type='L1Loss', loss_weight=5.0),
                 loss_iou: dict = dict(type='GIoULoss', loss_weight=2.0),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if regression not in ('peak', 'dense'):
            raise ValueError(
                f"regression must be 'peak' or 'dense', got {regression!r}")
        self.regression = regression
        self.dense_beta = float(dense_beta)
        if negative_normalizer not in ('positives', 'negatives'):
            raise ValueError("negative_normalizer must be 'positives' or "
                             f"'negatives', got {negative_normalizer!r}")
        self.negative_normalizer = negative_normalizer
        self.in_channels = in_channels
        self.feat_channels = feat_channels
        self.num_convs = num_convs
        self.loss_heatmap = MODELS.build(loss_heatmap)
        self.loss_bbox = MODELS.build(loss_bbox)
        self.loss_iou = MODELS.build(loss_iou)
        self._init_layers()
        self._init_weights()

    def _init_layers(self) -> None:
        """Build the branches (subclasses that share or change towers
        override this and :meth:`forward`)."""
        def branch(out: int) -> nn.Sequential:
            return conv_branch(self.in_channels, self.feat_channels,
                               self.num_convs, out)

        self.score_branch = branch(1)
        self.offset_branch = branch(2)
        self.size_branch = branch(2)

    def _init_weights(self) -> None:
        """Xavier-uniform convs; the score logit starts at the prior of one
        positive cell in ~100 (``-log(99)``)."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.xavier_uniform_(m.weight)
        score_convs = [m for m in self.score_branch.modules()
                       if isinstance(m, nn.Conv2d)]
        nn.init.constant_(score_convs[-1].bias, -math.log(99.))

    def forward(self, feats: Tensor) -> Dict[str, Tensor]:
        """Returns ``score`` ``(B, 1, H, W)`` probabilities, ``offset``
        ``(B, 2, H, W)`` cells and ``size`` ``(B, 2, H, W)`` normalised."""
        score = self.score_branch(feats).float().sigmoid().clamp(1e-4, 1 - 1e-4)
        offset = self.offset_branch(feats).float()
        size = self.size_branch(feats).float().sigmoid()
        return dict(score=score, offset=offset, size=size)

    def size_map(self, outs: Dict[str, Tensor]) -> Tensor:
        return outs['size']

    def decode(self, outs: Dict[str, Tensor], peak_map: Tensor):
        """Box at the peak of ``peak_map`` ``(B, 1, H, W)``.

        Returns:
            tuple: normalised xyxy boxes ``(B, 4)`` and flat peak indices.
        """
        b, _, h, w = peak_map.shape
        idx = peak_map.flatten(1).argmax(dim=1)
        iy, ix = idx // w, idx % w
        offset = outs['offset'].flatten(2)[torch.arange(b), :, idx]
        size = outs['size'].flatten(2)[torch.arange(b), :, idx]
        cx = (ix.to(offset.dtype) + offset[:, 0]) / w
        cy = (iy.to(offset.dtype) + offset[:, 1]) / h
        boxes = cxcywh_to_xyxy(torch.stack([cx, cy, size[:, 0], size[:, 1]],
                                           dim=1))
        return boxes, idx

    def decode_all(self, outs: Dict[str, Tensor]) -> Tensor:
        """Boxes decoded at every cell: ``(B, H, W, 4)`` normalised xyxy."""
        offset, size = outs['offset'], outs['size']
        h, w = offset.shape[-2:]
        xs = torch.arange(w, device=offset.device, dtype=offset.dtype)
        ys = torch.arange(h, device=offset.device, dtype=offset.dtype)
        cx = (xs[None, None, :] + offset[:, 0]) / w
        cy = (ys[None, :, None] + offset[:, 1]) / h
        return cxcywh_to_xyxy(
            torch.stack([cx, cy, size[:, 0], size[:, 1]], dim=-1))

    def loss_by_feat(self, outs: Dict[str, Tensor],
                     data_samples: List[SOTDataSample]) -> Dict[str, Tensor]:
        score = outs['score']
        gt_boxes, positive = self.get_targets(data_samples, score.device)
        heatmap = gaussian_heatmap(gt_boxes, positive, score.shape[-2:])
        if self.negative_normalizer == 'positives':
            loss_heatmap = self.loss_heatmap(score, heatmap)
        else:  # JN Eq. 6
            pos_pair = positive.to(score.dtype)[:, None, None, None]
            loss_heatmap = self.loss_heatmap(score, heatmap, weight=pos_pair) \
                + self.loss_heatmap(score, heatmap, weight=1 - pos_pair,
                                    avg_factor=normalizer((~positive).sum()))
        losses = dict(loss_heatmap=loss_heatmap)
        # every box enters with a weight (0 for negative pairs and cells
        # outside the target): no boolean indexing, so no host sync, and a
        # batch without positives still connects every branch to the loss
        if self.regression == 'dense':
            weight = box_gaussian_weights(gt_boxes, positive,
                                          score.shape[-2:], self.dense_beta)
            pb = self.decode_all(outs)
            gb = gt_boxes[:, None, None].expand_as(pb)
        else:
            pb, _ = self.decode(outs, score.detach())
            gb, weight = gt_boxes, positive.to(pb.dtype)
        avg = normalizer(weight.sum())
        losses['loss_bbox'] = self.loss_bbox(pb, gb, weight, avg)
        losses['loss_iou'] = self.loss_iou(pb, gb, weight, avg)
        return losses

    def predict_by_feat(self, outs: Dict[str, Tensor],
                        score_window=None) -> Dict[str, Tensor]:
        score = outs['score']
        peak_map = score_window(score) if score_window is not None else score
        boxes, idx = self.decode(outs, peak_map)
        scores = score.flatten(1).gather(1, idx[:, None])[:, 0]
        return dict(bboxes=boxes, scores=scores, score_map=score)
