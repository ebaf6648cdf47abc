"""Corner head with soft-argmax (STARK ``Corner_Predictor``, MAT)."""
from typing import Dict, List, Optional

import torch
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures import SOTDataSample
from ..losses import normalizer
from .base_sot_head import BaseSOTHead, conv_branch


def soft_argmax(logits: Tensor, coord_offset: float = 0.5):
    """Expected ``(x, y)`` of a spatial softmax, normalised to [0, 1].

    Args:
        logits: ``(B, H, W)`` corner logits.
        coord_offset: position of a cell's coordinate within the cell:
            0.5 uses cell centres; 0 reproduces STARK/MAT (cell corners,
            which biases boxes by half a cell towards the top-left).

    Returns:
        tuple: ``(B,)`` x and y in [0, 1] and the ``(B, H, W)``
        probabilities.
    """
    b, h, w = logits.shape
    prob = logits.float().flatten(1).softmax(dim=1).view(b, h, w)
    xs = (torch.arange(w, device=logits.device) + coord_offset) / w
    ys = (torch.arange(h, device=logits.device) + coord_offset) / h
    x = (prob.sum(dim=1) * xs).sum(dim=1)
    y = (prob.sum(dim=2) * ys).sum(dim=1)
    return x, y, prob


@MODELS.register_module()
class CornerHead(BaseSOTHead):
    """Two conv towers predicting top-left and bottom-right corner maps.

    Each tower is ``in -> ch -> ch/2 -> ch/4 -> ch/8`` Conv3x3-BN-ReLU and a
    1x1 conv to one logit map; the corners are the soft-argmax expectations.
    The confidence is ``max(p_tl) * max(p_br)``.

    Args:
        in_channels: channels of the search feature map.
        feat_channels: width of the first conv of each tower.
        num_convs: convs per tower.
        coord_offset: see :func:`soft_argmax` (0.5: cell centres).
        loss_bbox, loss_iou: loss configs (L1 and GIoU on normalised xyxy).
        loss_negative: optional loss of negative pairs (JN Eq. 7): both
            corner logit maps are trained towards all zeros, e.g.
            ``dict(type='CrossEntropyLoss', use_sigmoid=True)``, averaged
            over the cells of a map and divided by the number of negative
            pairs. None (STARK, MixFormer): negative pairs train nothing.
    """

    def __init__(self,
                 in_channels: int,
                 feat_channels: int = 256,
                 num_convs: int = 4,
                 coord_offset: float = 0.5,
                 loss_bbox: dict = dict(type='L1Loss', loss_weight=5.0),
                 loss_iou: dict = dict(type='GIoULoss', loss_weight=2.0),
                 loss_negative: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.tl_branch = conv_branch(in_channels, feat_channels, num_convs, 1)
        self.br_branch = conv_branch(in_channels, feat_channels, num_convs, 1)
        self.coord_offset = coord_offset
        self.loss_bbox = MODELS.build(loss_bbox)
        self.loss_iou = MODELS.build(loss_iou)
        self.loss_negative = (MODELS.build(loss_negative)
                              if loss_negative is not None else None)

    def forward(self, feats: Tensor) -> Dict[str, Tensor]:
        """Returns ``tl``/``br`` logits ``(B, H, W)``, normalised xyxy
        ``bboxes`` ``(B, 4)`` and ``scores`` ``(B,)``."""
        tl = self.tl_branch(feats)[:, 0]
        br = self.br_branch(feats)[:, 0]
        x1, y1, p_tl = soft_argmax(tl, self.coord_offset)
        x2, y2, p_br = soft_argmax(br, self.coord_offset)
        bboxes = torch.stack([x1, y1, x2, y2], dim=1)
        scores = p_tl.flatten(1).max(1)[0] * p_br.flatten(1).max(1)[0]
        return dict(tl=tl, br=br, bboxes=bboxes, scores=scores)

    def loss_by_feat(self, outs: Dict[str, Tensor],
                     data_samples: List[SOTDataSample]) -> Dict[str, Tensor]:
        pred = outs['bboxes']
        gt_boxes, positive = self.get_targets(data_samples, pred.device)
        # negative pairs enter with weight 0 (no boolean indexing: no host
        # sync, and the graph stays connected without positives)
        weight = positive.to(pred.dtype)
        avg = normalizer(weight.sum())
        losses = dict(
            loss_bbox=self.loss_bbox(pred, gt_boxes, weight, avg),
            loss_iou=self.loss_iou(pred, gt_boxes, weight, avg))
        if self.loss_negative is not None:
            maps = torch.stack([outs['tl'], outs['br']], dim=1)  # (B,2,H,W)
            neg = (1 - weight)[:, None, None, None].expand_as(maps)
            cells = maps.shape[1] * maps.shape[2] * maps.shape[3]
            losses['loss_negative'] = self.loss_negative(
                maps, torch.zeros_like(maps), neg / cells,
                normalizer((~positive).sum()))
        return losses

    def predict_by_feat(self, outs: Dict[str, Tensor],
                        score_window=None) -> Dict[str, Tensor]:
        return dict(bboxes=outs['bboxes'], scores=outs['scores'])
