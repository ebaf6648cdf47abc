"""SiamCAR's classification + regression head (CNNInMo)."""
import math
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures import SOTDataSample
from ..losses import normalizer
from .base_sot_head import BaseSOTHead
from .dense_targets import cell_centres, inside_box_cells

__all__ = ['CARHead']


def _tower(channels: int, num_convs: int, num_groups: int) -> nn.Sequential:
    layers = []
    for _ in range(num_convs):
        layers += [nn.Conv2d(channels, channels, 3, padding=1),
                   nn.GroupNorm(min(num_groups, channels), channels),
                   nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)


@MODELS.register_module()
class CARHead(BaseSOTHead):
    """Per-cell foreground classification, centre-ness and ``l, t, r, b``
    distances (SiamCAR; FCOS on a correlation map).

    Two towers of ``num_convs`` Conv3x3-GroupNorm-ReLU layers at the input
    width; the classification tower ends in 2-class logits (background,
    foreground) and a centre-ness logit, the box tower in the four distances
    from the cell to the box sides, ``exp`` of the output, in cells.

    **Geometry.** The map may be the central part of the search grid (a
    valid correlation, :class:`~mmtrack_ext.models.necks.
    MultiLevelDepthwiseCorrelation`): with ``stride`` and ``search_size``
    cell ``j`` of a ``W``-wide map sits at ``search_size / 2 + (j - (W -
    1) / 2) * stride`` px of the crop (SiamCAR's 25 x 25 map of a 255 px
    crop, stride 8); without them the map spans the crop (cell ``j`` at
    ``(j + 0.5) / W`` of its width).

    **Training** (SiamCAR): the positive cells are those in the central
    ``center_ratio`` of the target box along both axes (SiamCAR: a cell
    whose four distances all exceed 0.3 of the box side, i.e. the central
    40 %; the cell nearest the centre when none is); every other cell, and
    every cell of a negative pair, is background. Classification:
    cross-entropy averaged over positive cells and over negative cells
    separately, ``0.5`` each; box: IoU loss (``-log IoU``) over positive
    cells weighted by their centre-ness target; centre-ness: binary
    cross-entropy against ``sqrt(min(l, r) / max(l, r) * min(t, b) /
    max(t, b))`` over positive cells.

    **Inference**: the peak of ``p_fg * c`` (``c`` the sigmoid centre-ness
    min-max normalised over the map, as SiamCAR does) after the tracker's
    penalty and window; the box is the peak cell's distances; the reported
    confidence is ``p_fg`` there (SiamCAR's size-update rate uses it).

    Args:
        in_channels: channels of the (correlation) map; the towers keep it.
        num_convs: convs per tower (SiamCAR: 4).
        num_groups: GroupNorm groups (at most the channels).
        stride: crop px per map cell (with ``search_size``).
        search_size: crop side in px the geometry refers to.
        center_ratio: side fraction of the central positive region.
        prior_prob: initial foreground probability of the logits.
        loss_cls, loss_bbox, loss_centerness: loss configs (CNNInMo: 1, 3,
            1).
    """

    def __init__(self,
                 in_channels: int,
                 num_convs: int = 4,
                 num_groups: int = 32,
                 stride: Optional[float] = None,
                 search_size: Optional[float] = None,
                 center_ratio: float = 0.4,
                 prior_prob: float = 0.01,
                 loss_cls: dict = dict(type='CrossEntropyLoss',
                                       loss_weight=1.0),
                 loss_bbox: dict = dict(type='IoULoss', loss_weight=3.0),
                 loss_centerness: dict = dict(
                     type='CrossEntropyLoss', use_sigmoid=True,
                     loss_weight=1.0),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if (stride is None) != (search_size is None):
            raise ValueError('CARHead needs both stride and search_size, or '
                             'neither (the map spans the crop)')
        if not 0. < center_ratio <= 1.:
            raise ValueError(f'center_ratio must be in (0, 1], got '
                             f'{center_ratio}')
        self.step = (float(stride) / float(search_size)
                     if stride is not None else None)
        self.center_ratio = float(center_ratio)
        self.cls_tower = _tower(in_channels, num_convs, num_groups)
        self.box_tower = _tower(in_channels, num_convs, num_groups)
        self.cls_logits = nn.Conv2d(in_channels, 2, 3, padding=1)
        self.centerness = nn.Conv2d(in_channels, 1, 3, padding=1)
        self.box_pred = nn.Conv2d(in_channels, 4, 3, padding=1)
        self.loss_cls = MODELS.build(loss_cls)
        self.loss_bbox = MODELS.build(loss_bbox)
        self.loss_centerness = MODELS.build(loss_centerness)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, std=0.01)
                nn.init.zeros_(m.bias)
        # foreground logit - background logit = log(p / (1 - p))
        nn.init.constant_(self.cls_logits.bias[1],
                          math.log(prior_prob / (1 - prior_prob)))

    def forward(self, feats: Tensor) -> Dict[str, Tensor]:
        """``(B, C, H, W)`` -> ``cls`` ``(B, 2, H, W)`` logits (background,
        foreground), ``centerness`` ``(B, 1, H, W)`` logits and ``ltrb``
        ``(B, 4, H, W)`` distances in cells."""
        cls_feat = self.cls_tower(feats)
        return dict(cls=self.cls_logits(cls_feat).float(),
                    centerness=self.centerness(cls_feat).float(),
                    ltrb=self.box_pred(self.box_tower(feats)).float().exp())

    # ---------------------------------------------------------- geometry
    def _step(self, size: Tuple[int, int]) -> Tuple[float, float]:
        """Normalised crop units per cell along ``(x, y)``."""
        h, w = size
        return (self.step, self.step) if self.step else (1. / w, 1. / h)

    def _frame(self, boxes: Tensor, size: Tuple[int, int]):
        """Per-coordinate crop units per cell and the map's middle cell."""
        h, w = size
        sx, sy = self._step(size)
        return (boxes.new_tensor([sx, sy, sx, sy]),
                boxes.new_tensor([(w - 1) / 2, (h - 1) / 2] * 2))

    def to_cells(self, boxes: Tensor, size: Tuple[int, int]) -> Tensor:
        """``(..., 4)`` xyxy boxes normalised to the crop -> cell units
        (cell ``j`` at ``j``)."""
        scale, mid = self._frame(boxes, size)
        return (boxes - 0.5) / scale + mid

    def to_crop(self, boxes: Tensor, size: Tuple[int, int]) -> Tensor:
        """Inverse of :meth:`to_cells`."""
        scale, mid = self._frame(boxes, size)
        return (boxes - mid) * scale + 0.5

    @staticmethod
    def _cell_points(h: int, w: int, like: Tensor) -> Tuple[Tensor, Tensor]:
        """``(H, W)`` x and y of every cell in cell units (cell ``j`` at
        ``j``)."""
        points = cell_centres(h, w, like.device, like.dtype) - 0.5
        return points[..., 0], points[..., 1]

    def decode_all(self, ltrb: Tensor) -> Tensor:
        """``(B, 4, H, W)`` distances -> ``(B, H, W, 4)`` xyxy boxes in cell
        units."""
        xs, ys = self._cell_points(*ltrb.shape[-2:], ltrb)
        l, t, r, b = ltrb.unbind(1)
        return torch.stack([xs - l, ys - t, xs + r, ys + b], dim=-1)

    def size_map(self, outs: Dict[str, Tensor]) -> Tensor:
        ltrb = outs['ltrb']
        sx, sy = self._step(ltrb.shape[-2:])
        return torch.stack([(ltrb[:, 0] + ltrb[:, 2]) * sx,
                            (ltrb[:, 1] + ltrb[:, 3]) * sy], dim=1)

    # ---------------------------------------------------------- training
    def targets(self, gt_boxes: Tensor, positive: Tensor,
                size: Tuple[int, int]) -> Tuple[Tensor, Tensor, Tensor]:
        """Positive cells ``(B, H, W)`` bool, the target boxes in cell units
        ``(B, 4)`` and the centre-ness targets ``(B, H, W)``."""
        h, w = size
        cells = self.to_cells(gt_boxes, size)
        centre = (cells[:, :2] + cells[:, 2:]) * 0.5
        half = (cells[:, 2:] - cells[:, :2]) * (self.center_ratio * 0.5)
        central = torch.cat([centre - half, centre + half], dim=1)
        # inside_box_cells works on boxes normalised to the map, cell j
        # centred at (j + 0.5) / W: shift by half a cell
        as_map = (central + 0.5) / central.new_tensor([w, h, w, h])
        pos = inside_box_cells(as_map, positive, size)
        xs, ys = self._cell_points(h, w, cells)
        x1, y1, x2, y2 = (v[:, None, None] for v in cells.unbind(-1))
        lr = torch.stack([xs - x1, x2 - xs]).clamp(min=1e-6)
        tb = torch.stack([ys - y1, y2 - ys]).clamp(min=1e-6)
        centerness = torch.sqrt(lr.min(0)[0] / lr.max(0)[0] *
                                tb.min(0)[0] / tb.max(0)[0])
        return pos, cells, centerness

    def loss_by_feat(self, outs: Dict[str, Tensor],
                     data_samples: List[SOTDataSample]) -> Dict[str, Tensor]:
        cls = outs['cls']
        size = tuple(cls.shape[-2:])
        gt_boxes, positive = self.get_targets(data_samples, cls.device)
        pos, cells, centerness = self.targets(gt_boxes, positive, size)
        posf = pos.to(cls.dtype)
        label = pos.long()
        loss_cls = 0.5 * (
            self.loss_cls(cls, label, weight=posf,
                          avg_factor=normalizer(posf.sum()))
            + self.loss_cls(cls, label, weight=1 - posf,
                            avg_factor=normalizer((1 - posf).sum())))
        boxes = self.decode_all(outs['ltrb'])
        target = cells[:, None, None].expand_as(boxes)
        box_weight = centerness * posf
        loss_bbox = self.loss_bbox(boxes, target, box_weight,
                                   normalizer(box_weight.sum(), 1e-6))
        loss_cen = self.loss_centerness(
            outs['centerness'][:, 0], centerness, weight=posf,
            avg_factor=normalizer(posf.sum()))
        return dict(loss_cls=loss_cls, loss_bbox=loss_bbox,
                    loss_centerness=loss_cen)

    # ---------------------------------------------------------- inference
    def score_map(self, outs: Dict[str, Tensor]) -> Tuple[Tensor, Tensor]:
        """Foreground probability ``(B, 1, H, W)`` and the peak map ``p_fg
        x`` min-max normalised centre-ness."""
        fg = outs['cls'].softmax(dim=1)[:, 1:]
        cen = outs['centerness'].sigmoid()
        lo = cen.flatten(1).min(1)[0][:, None, None, None]
        hi = cen.flatten(1).max(1)[0][:, None, None, None]
        span = hi - lo
        # a flat map (span 0) says nothing: it leaves p_fg as it is
        cen = torch.where(span > 1e-12, (cen - lo) / span.clamp(min=1e-12),
                          torch.ones_like(cen))
        return fg, fg * cen

    def predict_by_feat(self, outs: Dict[str, Tensor],
                        score_window=None) -> Dict[str, Tensor]:
        fg, score = self.score_map(outs)
        peak_map = score_window(score) if score_window is not None else score
        b = fg.shape[0]
        idx = peak_map.flatten(1).argmax(dim=1)
        size = tuple(fg.shape[-2:])
        boxes = self.decode_all(outs['ltrb']).flatten(1, 2)
        boxes = self.to_crop(boxes[torch.arange(b), idx], size)
        scores = fg.flatten(1).gather(1, idx[:, None])[:, 0]
        return dict(bboxes=boxes, scores=scores, score_map=score)
