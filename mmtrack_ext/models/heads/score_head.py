"""Confidence (score) heads: is the target in the search area?"""
from typing import Dict, List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures import SOTDataSample
from mmtrack_ext.structures.backbone_output import BackboneOutput

__all__ = ['MLPScoreHead']


@MODELS.register_module()
class MLPScoreHead(BaseModule):
    """MLP on one feature vector -> the probability that the target is in the
    search area (STARK-ST2 / MixFormer / CTTrack / MMG score heads).

    The vector is the backbone's class token (``source='cls_token'``, needs a
    backbone with one, e.g. ``OneStreamViT(use_cls_token=True)``) or the
    mean of the search map (``'search_mean'``). Trained with binary
    cross-entropy against the pair label (1 positive, 0 negative pair), so
    it needs negative pairs (``SOTPairDataset(positive_ratio<1)``); the
    usual recipe trains it in a second stage with everything else frozen
    (``frozen_modules=['backbone', 'neck', 'head']``).

    Contract of score heads: ``forward(feats) -> (B,)`` logits on the whole
    :class:`BackboneOutput`, ``loss(feats, data_samples) -> dict``,
    ``predict(feats) -> (B,)`` probabilities in [0, 1].

    Args:
        in_channels: width of the input vector.
        hidden_channels: width of the hidden layers.
        num_layers: linear layers (>= 1), ReLU between them.
        source: ``'cls_token'`` or ``'search_mean'``.
        loss_weight: weight of the BCE loss.
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int = 256,
                 num_layers: int = 3,
                 source: str = 'cls_token',
                 loss_weight: float = 1.0,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if source not in ('cls_token', 'search_mean'):
            raise ValueError("source must be 'cls_token' or 'search_mean', "
                             f'got {source!r}')
        if num_layers < 1:
            raise ValueError(f'num_layers must be >= 1, got {num_layers}')
        self.source = source
        self.loss_weight = float(loss_weight)
        dims = [in_channels] + [hidden_channels] * (num_layers - 1) + [1]
        layers = []
        for i in range(num_layers):
            layers.append(nn.Linear(dims[i], dims[i + 1]))
            if i < num_layers - 1:
                layers.append(nn.ReLU(inplace=True))
        self.mlp = nn.Sequential(*layers)

    def features(self, feats: BackboneOutput) -> Tensor:
        """The ``(B, C)`` input vector."""
        if self.source == 'search_mean':
            return feats.search.mean(dim=(2, 3))
        if feats.cls_token is None:
            raise ValueError(
                "MLPScoreHead(source='cls_token') needs a backbone with a "
                'class token (e.g. OneStreamViT(use_cls_token=True))')
        return feats.cls_token

    def forward(self, feats: BackboneOutput) -> Tensor:
        """``(B,)`` logits."""
        return self.mlp(self.features(feats))[:, 0].float()

    def loss(self, feats: BackboneOutput,
             data_samples: List[SOTDataSample]) -> Dict[str, Tensor]:
        logits = self(feats)
        labels = torch.stack([
            s.gt_instances.labels.reshape(-1)[0] for s in data_samples
        ]).to(logits.device, logits.dtype).clamp(0, 1)
        loss = F.binary_cross_entropy_with_logits(logits, labels)
        return dict(loss_score=self.loss_weight * loss)

    def predict(self, feats: BackboneOutput) -> Tensor:
        """``(B,)`` probabilities."""
        return self(feats).sigmoid()
