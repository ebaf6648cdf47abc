import numpy as np
import torch

from mmtrack_ext.structures import (CropWindow, box_from_crop, box_to_crop,
                                    crop_and_resize, crop_window)


def test_window_and_box_mapping_roundtrip():
    box = np.array([100., 50., 140., 130.])  # 40 x 80
    win = crop_window(box, 2.0)
    assert win.side == int(np.ceil(np.sqrt(40 * 80) * 2))
    in_crop = box_to_crop(box, win, 128)
    # the box is centred in the crop (up to the integer window corner)
    centre = (in_crop[:2] + in_crop[2:]) / 2
    np.testing.assert_allclose(centre, [64, 64], atol=128 / win.side)
    np.testing.assert_allclose(box_from_crop(in_crop, win, 128), box)
    t = box_from_crop(torch.from_numpy(in_crop), win, 128)
    np.testing.assert_allclose(t.numpy(), box)


def test_numpy_and_torch_crops_agree_and_pad():
    rng = np.random.default_rng(0)
    # smooth image so both resampling paths give nearly the same pixels
    img = cv2_blur(rng.integers(0, 255, (120, 160, 3)).astype(np.uint8))
    win = crop_window(np.array([-10., 30., 30., 70.]), 2.0)  # leaves left
    a, mask_a = crop_and_resize(img, win, 32)
    b, mask_b = crop_and_resize(
        torch.from_numpy(img).permute(2, 0, 1), win, 32)
    assert a.shape == (32, 32, 3) and b.shape == (3, 32, 32)
    assert mask_a[:, 0].all() and not mask_a[:, -1].any()
    np.testing.assert_array_equal(mask_a, mask_b.numpy())
    assert (a[mask_a] == 0).all()
    diff = np.abs(a.astype(float) - b.permute(1, 2, 0).numpy())
    assert np.median(diff) < 3


def test_window_fully_outside_gives_padding():
    img = np.full((50, 50, 3), 255, np.uint8)
    win = crop_window(np.array([500., 500., 510., 510.]), 2.0)
    out, mask = crop_and_resize(img, win, 16)
    assert mask.all() and (out == 0).all()
    out_t, mask_t = crop_and_resize(torch.from_numpy(img).permute(2, 0, 1),
                                    win, 16)
    assert mask_t.all() and (out_t == 0).all()


def test_window_far_larger_than_the_frame():
    """A window 75 times the frame (an unclipped tracking state
    that drifted, MAT) maps the frame to one output pixel: torch's uint8
    antialiasing kernel asserts there; the crop falls back to float."""
    img = torch.randint(0, 255, (3, 160, 160), dtype=torch.uint8)
    win = CropWindow(-5900, -5900, 12000, 12000)  # the frame: 1 px
    out, mask = crop_and_resize(img, win, 64)
    assert out.shape == (3, 64, 64) and (~mask).sum() == 1
    assert 0 <= float(out[:, ~mask].min()) <= 255


def cv2_blur(img):
    import cv2
    return cv2.GaussianBlur(img, (0, 0), 3)
