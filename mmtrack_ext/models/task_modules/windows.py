"""Score-map window penalties applied at inference."""
import math
from typing import Dict, Tuple

import torch
from torch import Tensor

from mmtrack_ext.registry import TASK_UTILS


@TASK_UTILS.register_module()
class HanningWindow:
    """Cosine (Hanning) window over a score map, peak 1 at the centre.

    ``hann1d(n)[k] = 0.5 * (1 - cos(2 * pi * k / (n + 1)))`` for
    ``k = 1..n`` (OSTrack's ``hann2d``; never exactly zero at the border),
    outer product for 2-D.

    Args:
        mode: ``'multiply'`` returns ``score * window`` (OSTrack);
            ``'blend'`` returns ``score * (1 - influence) + window *
            influence`` (SiamFC/TransT/SBT).
        influence: blending weight in ``'blend'`` mode.
    """

    def __init__(self, mode: str = 'multiply', influence: float = 0.49):
        if mode not in ('multiply', 'blend'):
            raise ValueError(f"mode must be 'multiply' or 'blend', got {mode}")
        self.mode, self.influence = mode, influence
        self._cache: Dict[Tuple, Tensor] = {}

    def window(self, size: Tuple[int, int], device, dtype) -> Tensor:
        key = (tuple(size), str(device), dtype)
        if key not in self._cache:
            h, w = size
            wy = 0.5 * (1 - torch.cos(2 * math.pi * torch.arange(
                1, h + 1, dtype=torch.float64) / (h + 1)))
            wx = 0.5 * (1 - torch.cos(2 * math.pi * torch.arange(
                1, w + 1, dtype=torch.float64) / (w + 1)))
            self._cache[key] = (wy[:, None] * wx[None]).to(device, dtype)
        return self._cache[key]

    def __call__(self, score_map: Tensor) -> Tensor:
        """Apply to ``(..., H, W)`` scores; returns the same shape."""
        win = self.window(score_map.shape[-2:], score_map.device,
                          score_map.dtype)
        if self.mode == 'multiply':
            return score_map * win
        return score_map * (1 - self.influence) + win * self.influence
