import numpy as np
import pytest
import torch

from mmtrack_ext.structures import (aligned_iou, clip_boxes, cxcywh_to_xyxy,
                                    xywh_to_xyxy, xyxy_to_cxcywh,
                                    xyxy_to_xywh)


@pytest.mark.parametrize('lib', ['numpy', 'torch'])
def test_conversions_roundtrip(lib):
    xywh = np.array([[10., 20., 30., 40.], [0., 0., 1., 2.]])
    boxes = torch.from_numpy(xywh) if lib == 'torch' else xywh
    xyxy = xywh_to_xyxy(boxes)
    assert type(xyxy) is type(boxes)
    np.testing.assert_allclose(np.asarray(xyxy)[0], [10, 20, 40, 60])
    np.testing.assert_allclose(np.asarray(xyxy_to_xywh(xyxy)), xywh)
    cxcywh = xyxy_to_cxcywh(xyxy)
    np.testing.assert_allclose(np.asarray(cxcywh)[0], [25, 40, 30, 40])
    np.testing.assert_allclose(np.asarray(cxcywh_to_xyxy(cxcywh)),
                               np.asarray(xyxy))


def test_iou_and_giou():
    a = torch.tensor([[0., 0., 10., 10.]])
    b = torch.tensor([[5., 5., 15., 15.]])
    assert aligned_iou(a, b).item() == pytest.approx(25 / 175, abs=1e-6)
    # enclosing box 15x15=225, union 175 -> giou = iou - 50/225
    assert aligned_iou(a, b, mode='giou').item() == pytest.approx(
        25 / 175 - 50 / 225, abs=1e-6)
    assert aligned_iou(a.numpy(), a.numpy())[0] == pytest.approx(1.0)
    c = torch.tensor([[20., 20., 30., 30.]])
    assert aligned_iou(a, c).item() == 0.0
    with pytest.raises(ValueError):
        aligned_iou(a, b, mode='eiou')


@pytest.mark.parametrize('mode', ['giou', 'diou', 'ciou'])
def test_overlaps_match_torchvision_on_valid_boxes(mode):
    from torchvision import ops
    funcs = dict(giou=ops.generalized_box_iou_loss,
                 diou=ops.distance_box_iou_loss,
                 ciou=ops.complete_box_iou_loss)
    g = torch.Generator().manual_seed(0)
    a, b = torch.rand(50, 4, generator=g), torch.rand(50, 4, generator=g)
    a[:, 2:] += a[:, :2]
    b[:, 2:] += b[:, :2]
    torch.testing.assert_close(1 - aligned_iou(a, b, mode=mode),
                               funcs[mode](a, b, eps=1e-7), atol=1e-6,
                               rtol=0)
    # numpy gives the same values
    np.testing.assert_allclose(aligned_iou(a.numpy(), b.numpy(), mode=mode),
                               aligned_iou(a, b, mode=mode).numpy(),
                               atol=1e-6)


@pytest.mark.parametrize('mode', ['giou', 'diou', 'ciou'])
def test_inverted_boxes_keep_overlaps_in_range(mode):
    # torchvision gives an inverted box a positive area (GIoU loss -15 here),
    # which a corner head learns to exploit
    pred = torch.tensor([[0.9, 0.9, 0.1, 0.1]], requires_grad=True)
    target = torch.tensor([[0.4, 0.4, 0.6, 0.6]])
    overlap = aligned_iou(pred, target, mode=mode)
    assert -1.5 <= overlap.item() <= 0
    (1 - overlap).sum().backward()
    assert torch.isfinite(pred.grad).all()
    if mode == 'giou':  # the enclosing box un-inverts it
        assert pred.grad[0, 0] > 0 and pred.grad[0, 2] < 0


def test_clip_keeps_margin():
    boxes = np.array([[-50., -20., 5., 300.], [310., 100., 400., 120.]])
    out = clip_boxes(boxes, (240, 320), margin=10)
    np.testing.assert_allclose(out[0], [0, 0, 10, 240])
    np.testing.assert_allclose(out[1], [310, 100, 320, 120])
    t = clip_boxes(torch.from_numpy(boxes), (240, 320), margin=10)
    np.testing.assert_allclose(t.numpy(), out)
