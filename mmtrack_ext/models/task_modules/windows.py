"""Score-map windows and penalties applied at inference."""
import math
from typing import Dict, Tuple

import torch
from torch import Tensor

from mmtrack_ext.registry import TASK_UTILS


@TASK_UTILS.register_module()
class HanningWindow:
    """Cosine (Hanning) window over a score map, peak 1 at the centre.

    Two forms, as the trackers define them (outer product for 2-D):

    - ``'ostrack'``: ``0.5 * (1 - cos(2 * pi * k / (n + 1)))`` for
      ``k = 1..n`` (OSTrack's ``hann2d``); never zero at the border.
    - ``'numpy'``: ``np.hanning(n)``, ``0.5 - 0.5 * cos(2 * pi * k /
      (n - 1))`` for ``k = 0..n-1`` (SiamFC / TransT / SBT); zero at the
      border. The two differ by up to 0.057 on a 16 x 16 map.

    Args:
        mode: ``'multiply'`` returns ``score * window`` (OSTrack);
            ``'blend'`` returns ``score * (1 - influence) + window *
            influence`` (SiamFC/TransT/SBT).
        influence: blending weight in ``'blend'`` mode.
        form: ``'ostrack'`` or ``'numpy'`` (see above).
    """
    FORMS = ('ostrack', 'numpy')

    def __init__(self, mode: str = 'multiply', influence: float = 0.49,
                 form: str = 'ostrack'):
        if mode not in ('multiply', 'blend'):
            raise ValueError(f"mode must be 'multiply' or 'blend', got {mode}")
        if form not in self.FORMS:
            raise ValueError(f'form must be one of {self.FORMS}, got {form!r}')
        self.mode, self.influence, self.form = mode, influence, form
        self._cache: Dict[Tuple, Tensor] = {}

    def hann1d(self, n: int) -> Tensor:
        """The ``(n,)`` float64 window of :attr:`form`."""
        if self.form == 'numpy':
            if n == 1:  # np.hanning(1) == [1.]
                return torch.ones(1, dtype=torch.float64)
            k = torch.arange(n, dtype=torch.float64)
            return 0.5 - 0.5 * torch.cos(2 * math.pi * k / (n - 1))
        k = torch.arange(1, n + 1, dtype=torch.float64)
        return 0.5 * (1 - torch.cos(2 * math.pi * k / (n + 1)))

    def window(self, size: Tuple[int, int], device, dtype) -> Tensor:
        """The ``(H, W)`` window on ``device`` (cached per size)."""
        key = (tuple(size), str(device), dtype)
        if key not in self._cache:
            h, w = size
            win = self.hann1d(h)[:, None] * self.hann1d(w)[None]
            self._cache[key] = win.to(device, dtype)
        return self._cache[key]

    def __call__(self, score_map: Tensor) -> Tensor:
        """Apply to ``(..., H, W)`` scores; returns the same shape."""
        win = self.window(score_map.shape[-2:], score_map.device,
                          score_map.dtype)
        if self.mode == 'multiply':
            return score_map * win
        return score_map * (1 - self.influence) + win * self.influence


@TASK_UTILS.register_module()
class SizeChangePenalty:
    """Penalty on candidates whose box differs in size or aspect from the
    previous one (SiamRPN, kept by SiamRPN++/SiamCAR/SiamBAN).

    For a candidate of size ``(w, h)`` and the previous box ``(w0, h0)``
    (both in the same units, e.g. normalised to the search crop)::

        sz(w, h) = sqrt((w + p) * (h + p)),  p = (w + h) / 2
        s = change(sz(w, h) / sz(w0, h0)),   r = change((w0 / h0) / (w / h))
        penalty = exp(-k * (r * s - 1)),     change(x) = max(x, 1 / x)

    so an unchanged box keeps its score and a candidate twice as large, or
    with a very different aspect, is damped. The tracker multiplies the score
    map by it before the window and the peak search; the reported confidence
    stays the head's score.

    Args:
        k: strength (SiamRPN++ 0.04-0.2; 0 disables).
    """

    def __init__(self, k: float = 0.04):
        if k < 0:
            raise ValueError(f'k must be >= 0, got {k}')
        self.k = float(k)

    @staticmethod
    def _padded_size(w: Tensor, h: Tensor) -> Tensor:
        pad = (w + h) * 0.5
        return torch.sqrt((w + pad) * (h + pad))

    def __call__(self, sizes: Tensor, prev_size: Tensor) -> Tensor:
        """Penalty ``(B, 1, H, W)`` in (0, 1].

        Args:
            sizes: ``(B, 2, H, W)`` candidate ``(w, h)`` per cell.
            prev_size: ``(B, 2)`` or ``(2,)`` previous ``(w, h)``.
        """
        eps = 1e-6
        sizes = sizes.float().clamp(min=eps)
        prev = prev_size.to(sizes).reshape(-1, 2, 1, 1).clamp(min=eps)
        w, h = sizes[:, :1], sizes[:, 1:]
        w0, h0 = prev[:, :1], prev[:, 1:]

        def change(x):
            return torch.maximum(x, 1. / x)

        s = change(self._padded_size(w, h) / self._padded_size(w0, h0))
        r = change((w0 / h0) / (w / h))
        return torch.exp(-self.k * (r * s - 1))

    def __repr__(self) -> str:
        return f'{type(self).__name__}(k={self.k})'
