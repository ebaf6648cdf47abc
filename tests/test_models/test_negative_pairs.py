"""Negative pairs in the centre and corner heads (JN Eqs. 6 and 7), so the
heads x joint-learning table is config overrides only."""
import pytest
import torch
import torch.nn.functional as F

from mmtrack_ext.models.heads import CenterHead, CornerHead
from mmtrack_ext.models.heads import gaussian_heatmap
from mmtrack_ext.models.losses import CrossEntropyLoss, gaussian_focal_loss
from head_samples import search_samples

BOXES = [[0.3, 0.3, 0.6, 0.7], [0.2, 0.1, 0.5, 0.4], [0.4, 0.4, 0.9, 0.8]]


def _samples(labels, size=64):
    return search_samples(BOXES, labels, size)


def test_sigmoid_cross_entropy():
    logits, target = torch.randn(2, 5), torch.rand(2, 5)
    torch.testing.assert_close(
        CrossEntropyLoss(use_sigmoid=True)(logits, target),
        F.binary_cross_entropy_with_logits(logits, target))
    with pytest.raises(ValueError, match='class_weight'):
        CrossEntropyLoss(class_weight=[1, 2], use_sigmoid=True)


def test_center_head_negative_normaliser_follows_eq6():
    torch.manual_seed(0)
    feats = torch.randn(3, 8, 8, 8)
    labels = [1, 0, 0]
    heads = {n: CenterHead(in_channels=8, feat_channels=16,
                           negative_normalizer=n)
             for n in ('positives', 'negatives')}
    heads['negatives'].load_state_dict(heads['positives'].state_dict())
    losses = {n: h.loss(feats, _samples(labels)) for n, h in heads.items()}
    score = heads['positives'](feats)['score']
    heat = gaussian_heatmap(torch.tensor(BOXES), torch.tensor(labels).bool(),
                            (8, 8))
    per_pair = [gaussian_focal_loss(score[i:i + 1], heat[i:i + 1],
                                    avg_factor=1.0) for i in range(3)]
    # OSTrack: everything over the one positive cell
    torch.testing.assert_close(losses['positives']['loss_heatmap'],
                               sum(per_pair))
    # JN Eq. 6: positive pairs over positive cells, negatives over 2 pairs
    torch.testing.assert_close(losses['negatives']['loss_heatmap'],
                               per_pair[0] + (per_pair[1] + per_pair[2]) / 2)
    with pytest.raises(ValueError, match='negative_normalizer'):
        CenterHead(in_channels=8, negative_normalizer='pairs')


def test_corner_head_trains_negative_maps_towards_zero():
    torch.manual_seed(0)
    head = CornerHead(in_channels=8, feat_channels=16,
                      loss_negative=dict(type='CrossEntropyLoss',
                                         use_sigmoid=True))
    feats = torch.randn(3, 8, 8, 8, requires_grad=True)
    losses = head.loss(feats, _samples([1, 0, 0]))
    outs = head(feats)
    maps = torch.stack([outs['tl'], outs['br']], 1)[1:]
    expected = F.binary_cross_entropy_with_logits(
        maps, torch.zeros_like(maps), reduction='none').mean((1, 2, 3)).sum() / 2
    torch.testing.assert_close(losses['loss_negative'], expected)
    # without negatives in the batch the term is 0 but connected
    only_pos = head.loss(feats[:1], _samples([1]))
    assert only_pos['loss_negative'].item() == 0.0
    # the default head (STARK, MixFormer) trains nothing on negatives
    plain = CornerHead(in_channels=8, feat_channels=16)
    assert 'loss_negative' not in plain.loss(feats, _samples([1, 0, 0]))
