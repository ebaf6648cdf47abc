"""Per-cell classification and box heads of TransT, SBT and TransInMo."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures import SOTDataSample, cxcywh_to_xyxy, xyxy_to_cxcywh
from ..losses import normalizer
from .base_sot_head import BaseSOTHead
from .dense_targets import cell_centres, inside_box_cells

__all__ = ['MixMLPBlock', 'MixMLPBranch', 'MLPBranch', 'TransTHead']


class MixMLPBlock(nn.Module):
    """One Mix-MLP block (SBT Eq. 7): a token-mixing linear layer shared by
    all channels, then a channel linear layer shared by all tokens, each
    followed by ReLU (the channel one optionally not).

    ``(B, N_in, C_in) -> (B, N_out, C_out)``.
    """

    def __init__(self, in_tokens: int, out_tokens: int, in_channels: int,
                 out_channels: int, last: bool = False):
        super().__init__()
        self.token_mix = nn.Linear(in_tokens, out_tokens)
        self.channel_mix = nn.Linear(in_channels, out_channels)
        self.act = nn.ReLU(inplace=True)
        self.last = last

    def forward(self, x: Tensor) -> Tensor:
        x = self.act(self.token_mix(x.transpose(1, 2))).transpose(1, 2)
        x = self.channel_mix(x)
        return x if self.last else self.act(x)


class MixMLPBranch(nn.Module):
    """``num_layers`` Mix-MLP blocks on a map of ``num_tokens`` cells:
    tokens ``N -> hidden_tokens -> ... -> N``, channels
    ``C -> feat_channels -> ... -> out_channels`` (SBT: 2 blocks,
    1024 -> 320 -> 1024 tokens, 320 -> 320 -> out channels).

    ``(B, C, H, W) -> (B, out_channels, H, W)``; the map must have
    ``num_tokens`` cells.

    ``token_init``: ``'xavier'`` (SBT's code) or ``'identity'``: the
    token-mixing layers start as (rectangular) identities, so the branch
    starts as a per-cell MLP and learns the mixing (needs ``hidden_tokens
    >= num_tokens``; for training from scratch on a short schedule).
    """

    def __init__(self, num_tokens: int, hidden_tokens: int, in_channels: int,
                 feat_channels: int, out_channels: int, num_layers: int = 2,
                 token_init: str = 'xavier'):
        super().__init__()
        if num_layers < 2:
            raise ValueError('a Mix-MLP branch needs at least 2 layers')
        if token_init not in ('xavier', 'identity'):
            raise ValueError(f"token_init must be 'xavier' or 'identity', "
                             f'got {token_init!r}')
        if token_init == 'identity' and hidden_tokens < num_tokens:
            raise ValueError(
                f"token_init='identity' needs hidden_tokens >= num_tokens "
                f'({hidden_tokens} < {num_tokens})')
        self.token_init = token_init
        self.num_tokens = num_tokens
        tokens = [num_tokens] + [hidden_tokens] * (num_layers - 1) + [
            num_tokens]
        chans = [in_channels] + [feat_channels] * (num_layers - 1) + [
            out_channels]
        self.layers = nn.Sequential(*[
            MixMLPBlock(tokens[i], tokens[i + 1], chans[i], chans[i + 1],
                        last=i == num_layers - 1)
            for i in range(num_layers)
        ])
        self.reset_parameters()

    @torch.no_grad()
    def reset_parameters(self):
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
        if self.token_init == 'identity':
            for block in self.layers:
                w = block.token_mix.weight
                w.copy_(torch.eye(*w.shape))

    def forward(self, x: Tensor) -> Tensor:
        b, c, h, w = x.shape
        if h * w != self.num_tokens:
            raise ValueError(
                f'this Mix-MLP head was built for {self.num_tokens} cells, '
                f'got a {h}x{w} map')
        out = self.layers(x.flatten(2).transpose(1, 2))
        return out.transpose(1, 2).reshape(b, -1, h, w)


class MLPBranch(nn.Sequential):
    """Per-cell MLP (1x1 convs, ReLU between): TransT / TransInMo's
    ``MLP(C, feat, out, num_layers)``. ``(B, C, H, W) -> (B, out, H, W)``."""

    def __init__(self, in_channels: int, feat_channels: int,
                 out_channels: int, num_layers: int = 3):
        dims = [in_channels] + [feat_channels] * (num_layers - 1) + [
            out_channels]
        layers = []
        for i in range(num_layers):
            layers.append(nn.Conv2d(dims[i], dims[i + 1], 1))
            if i < num_layers - 1:
                layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


@MODELS.register_module()
class TransTHead(BaseSOTHead):
    """Foreground/background logits and a normalised box per cell (TransT,
    SBT, TransInMo).

    Each cell predicts two logits (class 0: target, class 1: background)
    and the whole target box as ``sigmoid`` ``(cx, cy, w, h)`` normalised to
    the search crop. Training (TransT's set criterion with its fixed
    assignment): the positive cells are those inside the target box (see
    ``assign_offset``; at least the centre cell) of positive pairs; the
    class loss is cross-entropy over every cell with the background class
    down-weighted (``class_weight=[1, 0.0625]``, weighted mean); the box
    losses (L1 and an IoU loss) are summed over positive cells and divided
    by their number (or by the cells of a map, ``box_normalizer``).
    Negative pairs: every cell is background, no box loss.
    Inference: the target probability per cell, optionally windowed
    (SBT / TransT blend a ``np.hanning`` window, influence 0.49), the box of
    the peak cell, its un-windowed probability as the confidence.

    Args:
        in_channels: channels of the search feature map.
        feat_channels: hidden channels of both branches.
        branch: ``'mix_mlp'`` (SBT's Mix-MLP blocks, Table 2's ``MMB x 2``;
            needs ``feat_size``) or ``'mlp'`` (TransT / TransInMo: per-cell
            MLPs).
        num_layers: layers per branch (SBT 2, TransT 3).
        feat_size: ``(H, W)`` of the search map the Mix-MLP branches are
            built for (token mixing has one weight per cell, so another map
            size is refused; the tracker checks it when it is built).
        hidden_tokens: tokens of the hidden Mix-MLP layers (SBT: 320).
        token_init: initialisation of the token-mixing layers,
            ``'xavier'`` (SBT) or ``'identity'`` (see :class:`MixMLPBranch`).
        assign_offset: where a cell sits for the assignment: 0 (TransT:
            cell ``j`` of ``F`` is positive when ``x1 <= j / F < x2``, the
            cell's top-left corner in the box) or 0.5 (its centre).
        l1_format: box form of the L1 loss, ``'cxcywh'`` (TransT, SBT) or
            ``'xyxy'`` (TransInMo).
        box_param: how a cell's 4 outputs give its box: ``'absolute'``
            (TransT: ``sigmoid`` of the whole box's ``cx, cy, w, h`` in the
            crop, so the features must tell the cell where it is) or
            ``'cell_offset'`` (the centre as the cell's centre plus an
            offset in cells, the size by ``sigmoid``; for features without
            absolute position, e.g. a correlation map trained from scratch).
        box_normalizer: the divisor of the summed box losses:
            ``'positives'`` (TransT, SBT: the positive cells of the batch)
            or ``'cells'`` (TransInMo's code: the cells of one map,
            ``H x W``).
        loss_cls, loss_bbox, loss_iou: loss configs (TransT: CE 8.334 with
            background weight 0.0625, L1 5 summed over the coordinates,
            GIoU 2).
    """

    def __init__(self,
                 in_channels: int,
                 feat_channels: int = 256,
                 branch: str = 'mlp',
                 num_layers: int = 3,
                 feat_size: Optional[Sequence[int]] = None,
                 hidden_tokens: Optional[int] = None,
                 token_init: str = 'xavier',
                 assign_offset: float = 0.,
                 l1_format: str = 'cxcywh',
                 box_param: str = 'absolute',
                 box_normalizer: str = 'positives',
                 loss_cls: dict = dict(
                     type='CrossEntropyLoss', class_weight=[1.0, 0.0625],
                     loss_weight=8.334),
                 loss_bbox: dict = dict(
                     type='L1Loss', loss_weight=5.0, sum_coords=True),
                 loss_iou: dict = dict(type='GIoULoss', loss_weight=2.0),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if l1_format not in ('cxcywh', 'xyxy'):
            raise ValueError(f"l1_format must be 'cxcywh' or 'xyxy', got "
                             f'{l1_format!r}')
        if box_normalizer not in ('positives', 'cells'):
            raise ValueError("box_normalizer must be 'positives' or "
                             f"'cells', got {box_normalizer!r}")
        self.box_normalizer = box_normalizer
        if box_param not in ('absolute', 'cell_offset'):
            raise ValueError("box_param must be 'absolute' or 'cell_offset', "
                             f'got {box_param!r}')
        self.box_param = box_param
        self.branch_type = branch
        self.feat_size = None
        if branch == 'mix_mlp':
            if feat_size is None:
                raise ValueError("branch='mix_mlp' needs feat_size (the "
                                 'search map size it is built for)')
            fs = (tuple(feat_size) if isinstance(feat_size, (list, tuple))
                  else (int(feat_size), int(feat_size)))
            self.feat_size = (int(fs[0]), int(fs[1]))
            n = self.feat_size[0] * self.feat_size[1]
            hidden = hidden_tokens or feat_channels

            def make(out):
                return MixMLPBranch(n, hidden, in_channels, feat_channels,
                                    out, num_layers, token_init)
        elif branch == 'mlp':

            def make(out):
                return MLPBranch(in_channels, feat_channels, out, num_layers)
        else:
            raise ValueError(f"branch must be 'mix_mlp' or 'mlp', got "
                             f'{branch!r}')
        self.cls_branch = make(2)
        self.reg_branch = make(4)
        self.assign_offset = float(assign_offset)
        self.l1_format = l1_format
        self.loss_cls = MODELS.build(loss_cls)
        self.loss_bbox = MODELS.build(loss_bbox)
        self.loss_iou = MODELS.build(loss_iou)

    def check_feat_size(self, size: Tuple[int, int]) -> None:
        if self.feat_size is not None and tuple(size) != self.feat_size:
            raise ValueError(
                f'{type(self).__name__} was built for a {self.feat_size[0]}x'
                f'{self.feat_size[1]} search map (feat_size) but gets '
                f'{size[0]}x{size[1]}; set feat_size to search_size / '
                'stride')

    def forward(self, feats: Tensor) -> Dict[str, Tensor]:
        """Returns ``logits`` ``(B, 2, H, W)`` and ``boxes`` ``(B, 4, H, W)``
        (``cxcywh`` normalised to the crop)."""
        raw = self.reg_branch(feats)
        if self.box_param == 'absolute':
            return dict(logits=self.cls_branch(feats), boxes=raw.sigmoid())
        h, w = raw.shape[-2:]
        centres = cell_centres(h, w, raw.device, raw.dtype)  # (H, W, 2)
        scale = raw.new_tensor([w, h])[:, None, None]
        xy = (centres.permute(2, 0, 1)[None] + raw[:, :2]) / scale
        return dict(logits=self.cls_branch(feats),
                    boxes=torch.cat([xy, raw[:, 2:].sigmoid()], dim=1))

    def size_map(self, outs: Dict[str, Tensor]) -> Optional[Tensor]:
        return outs['boxes'][:, 2:]

    def loss_by_feat(self, outs: Dict[str, Tensor],
                     data_samples: List[SOTDataSample]) -> Dict[str, Tensor]:
        logits, boxes = outs['logits'], outs['boxes']
        b, _, h, w = logits.shape
        gt, positive = self.get_targets(data_samples, logits.device)
        pos = inside_box_cells(gt, positive, (h, w),
                               cell_offset=self.assign_offset)
        target = (~pos).long()  # 0: target, 1: background
        losses = dict(loss_cls=self.loss_cls(logits, target))
        weight = pos.flatten(1).to(boxes.dtype)  # (B, HW)
        avg = (normalizer(weight.sum()) if self.box_normalizer == 'positives'
               else float(h * w))
        pred = boxes.flatten(2).transpose(1, 2)  # (B, HW, 4) cxcywh
        gt_cxcywh = xyxy_to_cxcywh(gt)[:, None].expand_as(pred)
        pred_xyxy = cxcywh_to_xyxy(pred)
        gt_xyxy = gt[:, None].expand_as(pred)
        if self.l1_format == 'cxcywh':
            l1 = self.loss_bbox(pred, gt_cxcywh, weight, avg)
        else:
            l1 = self.loss_bbox(pred_xyxy, gt_xyxy, weight, avg)
        losses['loss_bbox'] = l1
        losses['loss_iou'] = self.loss_iou(pred_xyxy, gt_xyxy, weight, avg)
        return losses

    def predict_by_feat(self, outs: Dict[str, Tensor],
                        score_window=None) -> Dict[str, Tensor]:
        score = outs['logits'].float().softmax(dim=1)[:, :1]  # (B,1,H,W)
        peak_map = score_window(score) if score_window is not None else score
        idx = peak_map.flatten(1).argmax(dim=1)
        boxes = outs['boxes'].flatten(2)  # (B, 4, HW)
        box = boxes.gather(2, idx[:, None, None].expand(-1, 4, 1))[..., 0]
        scores = score.flatten(1).gather(1, idx[:, None])[:, 0]
        return dict(bboxes=cxcywh_to_xyxy(box), scores=scores,
                    score_map=score)
