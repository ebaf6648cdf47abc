"""GFLHead (JN's distribution head): decoding, targets, negative pairs and
the normalisation of JN Eq. 10."""
import pytest
import torch

from mmtrack_ext.models.heads import GFLHead, inside_box_cells
from mmtrack_ext.models.losses import quality_focal_loss
from mmtrack_ext.structures import aligned_iou
from head_samples import search_samples


def _samples(boxes, labels, size=64):
    return search_samples(boxes, labels, size)


def test_decoding_of_exact_distributions():
    head = GFLHead(in_channels=8, reg_max=8)
    h = w = 4
    # every cell predicts l, t, r, b = 1, 2, 0, 3 cells exactly
    dist = torch.full((1, 4, 9, h, w), -1e4)
    for side, d in enumerate((1, 2, 0, 3)):
        dist[0, side, d] = 0
    from mmtrack_ext.models.losses import integral
    outs = dict(score=torch.rand(1, 1, h, w), dist=dist,
                distance=integral(dist.permute(0, 1, 3, 4, 2)))
    boxes = head.decode_all(outs)
    # the cell (row 1, col 2) has centre (2.5, 1.5)
    torch.testing.assert_close(boxes[0, 1, 2],
                               torch.tensor([1.5, -0.5, 2.5, 4.5]) / 4)
    sizes = head.size_map(outs)
    torch.testing.assert_close(sizes[0, :, 0, 0], torch.tensor([0.25, 1.25]))
    outs['score'] = torch.zeros(1, 1, h, w)
    outs['score'][0, 0, 3, 1] = 0.9
    pred = head.predict_by_feat(outs)
    torch.testing.assert_close(pred['bboxes'][0], boxes[0, 3, 1])
    assert pred['scores'].item() == pytest.approx(0.9)


def test_inside_cells_keep_one_cell_for_tiny_boxes():
    boxes = torch.tensor([[0.1, 0.1, 0.6, 0.35], [0.51, 0.51, 0.52, 0.52],
                          [0.1, 0.1, 0.6, 0.6]])
    inside = inside_box_cells(boxes, torch.tensor([True, True, False]),
                              (4, 4))
    # box 0 spans x 0.4-2.4 and y 0.4-1.4 cells: the centres (0.5, 0.5)
    # and (1.5, 0.5)
    assert inside[0].nonzero().tolist() == [[0, 0], [0, 1]]
    assert inside[1].nonzero().tolist() == [[2, 2]]  # the centre cell
    assert not inside[2].any()  # a negative pair has no positive cell


def test_losses_follow_jn_eq10_and_negatives_train_no_box():
    torch.manual_seed(0)
    head = GFLHead(in_channels=8, feat_channels=16, reg_max=8)
    feats = torch.randn(3, 8, 4, 4)
    boxes = [[0.1, 0.1, 0.6, 0.35], [0.3, 0.3, 0.9, 0.8],
             [0.2, 0.2, 0.5, 0.5]]
    labels = [1, 0, 0]
    samples = _samples(boxes, labels)
    losses = head.loss(feats, samples)
    outs = head(feats)
    gt = torch.tensor(boxes)
    positive = torch.tensor(labels).bool()
    inside = inside_box_cells(gt, positive, (4, 4))
    pred = head.decode_all(outs).detach()
    iou = aligned_iou(pred, gt[:, None, None].expand_as(pred)).clamp(min=0)
    target = torch.where(inside, iou, torch.zeros_like(iou))
    qfl = quality_focal_loss(outs['score'][:, 0], target, use_sigmoid=False)
    # positive pairs over the positive cells (2), negatives over the pairs
    # (2)
    assert inside.sum() == 2
    expected = qfl[0].sum() / 2 + qfl[1:].sum() / 2
    torch.testing.assert_close(losses['loss_qfl'], expected)
    assert all(torch.isfinite(v) for v in losses.values())
    negative_only = head.loss(feats[1:], samples[1:])
    for key in ('loss_bbox', 'loss_iou', 'loss_dfl'):
        assert negative_only[key].item() == 0.0
    assert negative_only['loss_qfl'].item() > 0


def test_aware_path_changes_the_score_and_can_be_disabled():
    torch.manual_seed(0)
    feats = torch.randn(1, 8, 4, 4)
    plain = GFLHead(in_channels=8, feat_channels=16, topk=0)
    plain.eval()
    out = plain(feats)
    torch.testing.assert_close(out['score'],
                               plain.cls_branch(feats).sigmoid())
    aware = GFLHead(in_channels=8, feat_channels=16, topk=4)
    assert aware.aware[0].in_channels == 20  # 4 sides x (top-4 + mean)
    with pytest.raises(ValueError, match='use_sigmoid=False'):
        GFLHead(in_channels=8, loss_qfl=dict(type='QualityFocalLoss'))


def test_center_radius_keeps_the_cells_near_the_box_centre():
    box = torch.tensor([[0.0, 0.0, 1.0, 1.0]])  # the whole 6x6 map
    every = inside_box_cells(box, torch.tensor([True]), (6, 6))
    near = inside_box_cells(box, torch.tensor([True]), (6, 6),
                            center_radius=1.0)
    assert every.sum() == 36
    # centre (3, 3): cell centres 2.5 and 3.5 on each axis are within 1
    assert near[0].nonzero().tolist() == [[2, 2], [2, 3], [3, 2], [3, 3]]
    with pytest.raises(ValueError, match='center_radius'):
        GFLHead(in_channels=8, center_radius=0)


def test_iou_gaussian_quality_target_peaks_at_the_box_centre():
    from mmtrack_ext.models.heads import box_gaussian_weights
    torch.manual_seed(0)
    feats = torch.randn(1, 8, 6, 6)
    samples = _samples([[0.0, 0.0, 1.0, 1.0]], [1])
    plain = GFLHead(in_channels=8, feat_channels=16, reg_max=8)
    gauss = GFLHead(in_channels=8, feat_channels=16, reg_max=8,
                    quality_target='iou_gaussian')
    gauss.load_state_dict(plain.state_dict())
    outs = plain(feats)
    pred = plain.decode_all(outs).detach()
    gt = torch.tensor([[0.0, 0.0, 1.0, 1.0]])
    iou = aligned_iou(pred, gt[:, None, None].expand_as(pred)).clamp(min=0)
    weight = box_gaussian_weights(gt, torch.tensor([True]), (6, 6))
    qfl = quality_focal_loss(outs['score'][:, 0], iou * weight,
                             use_sigmoid=False)
    torch.testing.assert_close(gauss.loss(feats, samples)['loss_qfl'],
                               qfl.sum() / 36)
    with pytest.raises(ValueError, match='quality_target'):
        GFLHead(in_channels=8, quality_target='gaussian')
