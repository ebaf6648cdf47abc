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
        aligned_iou(a, b, mode='diou')


def test_clip_keeps_margin():
    boxes = np.array([[-50., -20., 5., 300.], [310., 100., 400., 120.]])
    out = clip_boxes(boxes, (240, 320), margin=10)
    np.testing.assert_allclose(out[0], [0, 0, 10, 240])
    np.testing.assert_allclose(out[1], [310, 100, 320, 120])
    t = clip_boxes(torch.from_numpy(boxes), (240, 320), margin=10)
    np.testing.assert_allclose(t.numpy(), out)
