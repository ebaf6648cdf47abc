"""SiamCAR's head (CNNInMo): geometry, targets by hand, losses, decoding;
and the multi-level valid depth-wise correlation neck."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmtrack_ext.models.heads import CARHead
from mmtrack_ext.models.necks import MultiLevelDepthwiseCorrelation
from mmtrack_ext.structures import aligned_iou
from mmtrack_ext.structures.backbone_output import BackboneOutput
from head_samples import search_samples


def test_cells_sit_on_siamcar_points():
    """25 x 25 map, stride 8, 255 px crop: cell j at 127.5 + 8 (j - 12) px,
    i.e. SiamCAR's points 31.5 ... 223.5."""
    head = CARHead(16, num_convs=1, stride=8, search_size=255)
    size = (25, 25)
    box = torch.tensor([[31.5, 127.5, 223.5, 127.5]]) / 255
    cells = head.to_cells(box, size)
    torch.testing.assert_close(cells, torch.tensor([[0., 12., 24., 12.]]))
    torch.testing.assert_close(head.to_crop(cells, size), box)
    # without geometry the map spans the crop: cell j at (j + 0.5) / W
    plain = CARHead(16, num_convs=1)
    torch.testing.assert_close(
        plain.to_crop(torch.tensor([[0., 0., 3., 3.]]), (4, 4)),
        torch.tensor([[0.125, 0.125, 0.875, 0.875]]))


def test_targets_by_hand():
    """A box over cells 2..10 (x) and 4..8 (y) of a 13 x 13 map: positives
    are the central 40 % (SiamCAR's l, t, r, b > 0.3 of the side)."""
    head = CARHead(16, num_convs=1, stride=8, search_size=128)
    size = (13, 13)
    cells = torch.tensor([[2., 4., 10., 8.]])
    box = head.to_crop(cells, size)
    pos, target, cen = head.targets(box, torch.tensor([True]), size)
    torch.testing.assert_close(target, cells)
    # x in [6 - 1.6, 6 + 1.6], y in [6 - 0.8, 6 + 0.8]
    expected = torch.zeros(13, 13, dtype=torch.bool)
    expected[6, 5:8] = True
    assert torch.equal(pos[0], expected)
    # centre-ness at cell (y=6, x=5): l=3, r=5, t=b=2
    assert cen[0, 6, 5] == pytest.approx(math.sqrt(3 / 5 * 1.0))
    # a negative pair has no positive cell; a tiny box keeps its centre cell
    pos, _, _ = head.targets(box, torch.tensor([False]), size)
    assert not pos.any()
    tiny = head.to_crop(torch.tensor([[6.2, 6.2, 6.4, 6.4]]), size)
    pos, _, _ = head.targets(tiny, torch.tensor([True]), size)
    assert pos.sum() == 1 and pos[0, 6, 6]


def test_losses_by_hand_and_gradients():
    torch.manual_seed(0)
    head = CARHead(16, num_convs=1)
    feats = torch.randn(2, 16, 8, 8, requires_grad=True)
    samples = search_samples([[0.2, 0.2, 0.7, 0.6], [0.1, 0.3, 0.4, 0.9]],
                             [1, 0])
    outs = head(feats)
    losses = head.loss_by_feat(outs, samples)
    gt, positive = head.get_targets(samples, feats.device)
    pos, cells, cen = head.targets(gt, positive, (8, 8))
    logp = outs['cls'].log_softmax(1)
    cls = 0.5 * (-logp[:, 1][pos].mean() - logp[:, 0][~pos].mean())
    torch.testing.assert_close(losses['loss_cls'], cls)
    # only the positive pair has positive cells
    boxes = head.decode_all(outs['ltrb'])[pos]
    w = cen[pos]
    ref = (-(aligned_iou(boxes, cells[0].expand_as(boxes)).clamp(min=1e-6)
             .log()) * w).sum() / w.sum()
    torch.testing.assert_close(losses['loss_bbox'], 3 * ref)
    cen_ref = F.binary_cross_entropy_with_logits(
        outs['centerness'][:, 0][pos], cen[pos])
    torch.testing.assert_close(losses['loss_centerness'], cen_ref)
    sum(losses.values()).backward()
    assert all(p.grad is not None for p in head.parameters())


def test_predict_decodes_the_peak_cell():
    head = CARHead(4, num_convs=1, stride=8, search_size=128)
    h = w = 13
    cls = torch.zeros(1, 2, h, w)
    cls[0, 1, 3, 9] = 10.  # the peak at row 3, column 9
    ltrb = torch.ones(1, 4, h, w)
    ltrb[0, :, 3, 9] = torch.tensor([1., 2., 3., 4.])
    outs = dict(cls=cls, centerness=torch.zeros(1, 1, h, w), ltrb=ltrb)
    out = head.predict_by_feat(outs)
    expected = head.to_crop(torch.tensor([[8., 1., 12., 7.]]), (h, w))
    torch.testing.assert_close(out['bboxes'], expected)
    assert out['scores'][0] == pytest.approx(torch.sigmoid(
        torch.tensor(10.)).item(), rel=1e-5)
    sizes = head.size_map(outs)
    torch.testing.assert_close(sizes[0, :, 3, 9],
                               torch.tensor([4., 6.]) * 8 / 128)


def test_head_geometry_arguments_come_together():
    with pytest.raises(ValueError, match='both stride and search_size'):
        CARHead(16, stride=8)


def test_multilevel_valid_correlation_by_hand():
    torch.manual_seed(0)
    neck = MultiLevelDepthwiseCorrelation([8, 12], channels=4,
                                          template_crop=3).eval()
    xs = [torch.randn(2, 8, 10, 10), torch.randn(2, 12, 10, 10)]
    zs = [torch.randn(2, 1, 8, 7, 7), torch.randn(2, 1, 12, 7, 7)]
    feats = BackboneOutput(search=xs[-1], template=zs[-1], search_levels=xs,
                           template_levels=zs)
    with torch.no_grad():
        responses = neck.correlate(feats)
        out = neck(feats).search
    assert out.shape == (2, 4, 8, 8)
    # level 0 by hand: the template's central 3 x 3 cells slid over the
    # search map, channel by channel, no padding
    with torch.no_grad():
        x = neck.adjust[0](xs[0])
        z = neck.adjust[0](zs[0][:, 0])[:, :, 2:5, 2:5]
    ref = torch.stack([
        torch.stack([F.conv2d(x[b:b + 1, c:c + 1], z[b:b + 1, c:c + 1])[0, 0]
                     for c in range(4)]) for b in range(2)])
    torch.testing.assert_close(responses[0], ref, atol=1e-5, rtol=1e-5)
    with torch.no_grad():
        fused = neck.down(torch.cat(responses, dim=1))
    torch.testing.assert_close(out, fused)
    with pytest.raises(ValueError, match='2 levels'):
        neck(BackboneOutput(search=xs[0], template=zs[0]))
