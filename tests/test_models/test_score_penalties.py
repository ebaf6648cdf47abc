"""Inference-time score-map windows and penalties."""
import math

import pytest
import torch

from mmtrack_ext.models.task_modules import HanningWindow, SizeChangePenalty


def test_hanning_window_modes():
    score = torch.rand(1, 1, 5, 7)
    win = HanningWindow(mode='multiply')
    w = win.window((5, 7), 'cpu', torch.float32)
    assert w.argmax() == 2 * 7 + 3 and (w > 0).all()
    torch.testing.assert_close(win(score), score * w)
    blend = HanningWindow(mode='blend', influence=0.25)
    torch.testing.assert_close(blend(score), score * 0.75 + w * 0.25)


@pytest.mark.parametrize('size', [(16, 16), (32, 32), (5, 7), (1, 3)])
def test_hanning_window_numpy_form_is_np_hanning(size):
    """SBT / TransT use ``np.hanning`` (zero at the border); OSTrack's form
    is never zero there and differs from it."""
    np = pytest.importorskip('numpy')
    win = HanningWindow(mode='blend', influence=0.49, form='numpy')
    w = win.window(size, 'cpu', torch.float64)
    expected = np.outer(np.hanning(size[0]), np.hanning(size[1]))
    np.testing.assert_allclose(w.numpy(), expected, atol=1e-12)
    if size == (32, 32):
        ostrack = HanningWindow().window(size, 'cpu', torch.float64)
        assert (ostrack - w).abs().max().item() == pytest.approx(
            0.0567, abs=1e-3)
    with pytest.raises(ValueError, match='form'):
        HanningWindow(form='scipy')


def test_size_change_penalty_values():
    pen = SizeChangePenalty(k=0.1)
    prev = torch.tensor([0.2, 0.2])
    sizes = torch.tensor([[0.2, 0.2], [0.4, 0.4], [0.1, 0.1],
                          [0.4, 0.1]]).T.reshape(1, 2, 2, 2)
    p = pen(sizes, prev)
    assert p.shape == (1, 1, 2, 2)
    assert p[0, 0, 0, 0].item() == pytest.approx(1.0)  # unchanged box
    # twice / half the size: s = 2, r = 1 -> exp(-k)
    assert p[0, 0, 0, 1].item() == pytest.approx(math.exp(-0.1), rel=1e-5)
    assert p[0, 0, 1, 0].item() == pytest.approx(math.exp(-0.1), rel=1e-5)
    # aspect 4:1 from 1:1 at the padded size sqrt(0.65 * 0.35) / 0.4
    s = math.sqrt(0.65 * 0.35) / 0.4
    expected = math.exp(-0.1 * (4 * max(s, 1 / s) - 1))
    assert p[0, 0, 1, 1].item() == pytest.approx(expected, rel=1e-5)
    assert SizeChangePenalty(k=0)(sizes, prev).eq(1).all()
    with pytest.raises(ValueError):
        SizeChangePenalty(k=-1)
