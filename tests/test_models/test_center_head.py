"""CenterHead: target maps, dense and peak box regression."""
import pytest
import torch

from mmtrack_ext.models.heads import CenterHead, box_gaussian_weights
from head_samples import search_samples


def _samples(boxes, labels, size=96):
    return search_samples(boxes, labels, size)


def test_box_gaussian_weights_cover_the_box_only():
    boxes = torch.tensor([[0.30, 0.30, 0.60, 0.55], [0.1, 0.1, 0.9, 0.9]])
    w = box_gaussian_weights(boxes, torch.tensor([True, False]), (12, 12))
    assert w.shape == (2, 12, 12)
    assert (w[1] == 0).all()  # negative pair
    cells = (w[0] > 0).nonzero().tolist()
    # cell centres (i + 0.5) inside x in [3.6, 7.2], y in [3.6, 6.6]
    assert sorted({c[1] for c in cells}) == [4, 5, 6]
    assert sorted({c[0] for c in cells}) == [4, 5, 6]
    # the cell holding the centre (5.4, 5.1) has weight 1, the maximum
    assert w[0, 5, 5] == 1 and w[0].max() == 1
    # a box smaller than a cell still trains its centre cell
    tiny = box_gaussian_weights(torch.tensor([[0.51, 0.51, 0.52, 0.52]]),
                                torch.tensor([True]), (12, 12))
    assert (tiny > 0).sum() == 1 and tiny[0, 6, 6] == 1


def _perfect_outputs(head, box, size=12):
    """Head outputs that decode to ``box`` (normalised xyxy) at every cell."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    xs = torch.arange(size, dtype=torch.float32)
    offset = torch.stack([
        (cx * size - xs)[None, :].expand(size, size),
        (cy * size - xs)[:, None].expand(size, size)
    ])[None]
    wh = torch.tensor([box[2] - box[0], box[3] - box[1]])
    return dict(
        score=torch.full((1, 1, size, size), 0.5),
        offset=offset,
        size=wh[None, :, None, None].expand(1, 2, size, size).clone())


@pytest.mark.parametrize('regression', ['dense', 'peak'])
def test_exact_boxes_have_no_box_loss(regression):
    head = CenterHead(16, 16, num_convs=2, regression=regression)
    box = [0.3, 0.35, 0.6, 0.7]
    losses = head.loss_by_feat(_perfect_outputs(head, box),
                               _samples([box], [1]))
    assert losses['loss_bbox'].item() == pytest.approx(0, abs=1e-6)
    assert losses['loss_iou'].item() == pytest.approx(0, abs=1e-5)


def test_dense_regression_trains_every_cell_in_the_box():
    torch.manual_seed(0)
    head = CenterHead(16, 16, num_convs=2, regression='dense')
    outs = head(torch.randn(2, 16, 12, 12))
    outs['offset'].retain_grad()
    outs['size'].retain_grad()
    box = [0.3, 0.35, 0.6, 0.7]
    samples = _samples([box, box], [1, 0])  # the second pair is negative
    losses = head.loss_by_feat(outs, samples)
    (losses['loss_bbox'] + losses['loss_iou']).backward()
    trained = outs['size'].grad.abs().sum(1) > 0
    weights = box_gaussian_weights(
        torch.tensor([box, box]), torch.tensor([True, False]), (12, 12))
    assert torch.equal(trained, weights > 0)
    assert trained[0].sum() > 1 and not trained[1].any()
    # the peak variant trains one cell per positive pair
    head.regression = 'peak'
    outs = head(torch.randn(2, 16, 12, 12))
    outs['size'].retain_grad()
    losses = head.loss_by_feat(outs, samples)
    (losses['loss_bbox'] + losses['loss_iou']).backward()
    assert (outs['size'].grad.abs().sum(1) > 0).sum() == 1


def test_all_negative_batch_keeps_the_graph():
    head = CenterHead(16, 16, num_convs=2, regression='dense')
    outs = head(torch.randn(1, 16, 12, 12))
    losses = head.loss_by_feat(outs, _samples([[0.3, 0.3, 0.6, 0.6]], [0]))
    assert losses['loss_bbox'].item() == 0 and losses['loss_iou'].item() == 0
    sum(losses.values()).backward()
    assert head.size_branch[-1].weight.grad is not None


def test_unknown_regression_is_refused():
    with pytest.raises(ValueError, match='regression'):
        CenterHead(16, 16, regression='corners')
