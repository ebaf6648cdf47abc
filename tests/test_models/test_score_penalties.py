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
