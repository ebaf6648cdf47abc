"""The general interaction modeler (GIM) of InBN (Guo et al., "Learning
Target-aware Representation for Visual Tracking via Informative
Interactions", IJCAI 2022), in its CNN form: attention modules between and
within the template and search feature maps of a Siamese backbone stage.
"""
from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmtrack_ext.registry import MODELS

__all__ = ['GIM', 'WindowAttention', 'window_groups', 'ungroup_windows']


def window_groups(x: Tensor, win: int) -> Tensor:
    """The window process (WP): ``(B, C, H, W)`` -> ``(B * win^2, N, C)``.

    The map is zero-padded to multiples of ``win`` and cut into ``win x
    win`` windows; the ``N = ceil(H / win) * ceil(W / win)`` tokens at the
    same offset ``(i, j)`` of every window form one sequence (the paper's
    ``B x win^2 x HW / win^2 x C``), so attention relates windows, offset by
    offset.
    """
    b, c, h, w = x.shape
    ph, pw = -h % win, -w % win
    x = F.pad(x, (0, pw, 0, ph))
    gh, gw = (h + ph) // win, (w + pw) // win
    x = x.reshape(b, c, gh, win, gw, win).permute(0, 3, 5, 2, 4, 1)
    return x.reshape(b * win * win, gh * gw, c)


def ungroup_windows(x: Tensor, win: int, size: Sequence[int]) -> Tensor:
    """Inverse of :func:`window_groups`: ``(B * win^2, N, C)`` ->
    ``(B, C, H, W)`` with the padding removed."""
    h, w = size
    gh, gw = -(-h // win), -(-w // win)
    c = x.shape[-1]
    x = x.reshape(-1, win, win, gh, gw, c).permute(0, 5, 3, 1, 4, 2)
    return x.reshape(-1, c, gh * win, gw * win)[:, :, :h, :w]


class WindowAttention(nn.Module):
    """Multi-head attention of one map's queries to another's keys and
    values (or its own), with 3x3 conv (or 1x1) projections to
    ``channels // reduction`` and back, over window groups or globally.

    Args:
        channels: channels of the maps.
        num_heads: attention heads.
        reduction: the query/key/value width is ``channels // reduction``.
        window_size: ``win`` of the window process; ``None`` attends
            globally over all ``H x W`` tokens (WP off).
        kernel_size: of the projection convs (3: the reference code; 1: a
            linear projection per token).
        attention: ``'softmax'`` (``softmax(q k^T / sqrt(d)) v``) or
            ``'query_softmax'`` (the reference code: each query softmaxed
            over its channels, then ``q (k^T v)`` without a softmax over the
            keys; linear in the number of keys).
        dropout: on the output projection.
    """

    def __init__(self, channels: int, num_heads: int = 4, reduction: int = 4,
                 window_size: Optional[int] = 7, kernel_size: int = 3,
                 attention: str = 'softmax', dropout: float = 0.1):
        super().__init__()
        if attention not in ('softmax', 'query_softmax'):
            raise ValueError(f"attention must be 'softmax' or "
                             f"'query_softmax', got {attention!r}")
        dim = channels // reduction
        if dim % num_heads:
            raise ValueError(f'channels // reduction = {dim} is not '
                             f'divisible by num_heads={num_heads}')
        self.num_heads, self.dim = num_heads, dim
        self.window_size = window_size
        self.attention = attention
        pad = kernel_size // 2
        self.q = nn.Conv2d(channels, dim, kernel_size, padding=pad)
        self.k = nn.Conv2d(channels, dim, kernel_size, padding=pad)
        self.v = nn.Conv2d(channels, dim, kernel_size, padding=pad)
        self.proj = nn.Conv2d(dim, channels, kernel_size, padding=pad)
        self.drop = nn.Dropout(dropout)

    def _tokens(self, x: Tensor) -> Tensor:
        if self.window_size is None:
            return x.flatten(2).transpose(1, 2)
        return window_groups(x, self.window_size)

    def _heads(self, x: Tensor) -> Tensor:
        n, length, _ = x.shape
        return x.reshape(n, length, self.num_heads, -1).transpose(1, 2)

    def forward(self, x: Tensor, source: Optional[Tensor] = None) -> Tensor:
        """``x`` ``(B, C, H, W)`` attends to ``source`` ``(B, C, h, w)``
        (itself when None); returns the ``(B, C, H, W)`` update (without
        the residual)."""
        source = x if source is None else source
        q = self._heads(self._tokens(self.q(x)))
        k = self._heads(self._tokens(self.k(source)))
        v = self._heads(self._tokens(self.v(source)))
        if self.attention == 'softmax':
            mask, found = None, None
            if self.window_size is not None:
                # the padded cells of the source are not keys; an offset
                # group without any real key (a map smaller than a window)
                # reads nothing
                valid = self._tokens(torch.ones_like(source[:, :1]))
                mask = valid[:, None, None, :, 0] > 0
                found = mask.any(dim=-1, keepdim=True)
                mask = mask | ~found
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            if found is not None:
                out = out * found
        else:  # padded keys and values are zero: they add nothing to k^T v
            q = (q * q.shape[-1]**-0.5).softmax(dim=-1)
            out = q @ (k.transpose(-2, -1) @ v)
        out = out.transpose(1, 2).flatten(2)
        b, _, h, w = x.shape
        if self.window_size is None:
            out = out.transpose(1, 2).reshape(b, -1, h, w)
        else:
            out = ungroup_windows(out, self.window_size, (h, w))
        return self.drop(self.proj(out))


@MODELS.register_module()
class GIM(BaseModule):
    """General interaction modeler: context-aware self-attention (CSA) of
    the search map and target-aware cross-attention (TCA, queries from the
    search map, keys and values from the template map), each with its own
    projections and a residual, over window groups (WP).

    ``forward(x, z)`` returns the updated search map; the template map is
    only read (the paper's InBN keeps the template branch unchanged by the
    search, so it can be cached per video).

    Args:
        channels: channels of both maps.
        modules: the attention modules in order: ``('csa', 'tca')`` (the
            paper's Table 1), ``('tca', 'csa')`` (the reference code) or
            one of them alone (``('csa',)``: Table 4's TCA off).
        num_heads, reduction, window_size, kernel_size, attention, dropout:
            see :class:`WindowAttention` (``window_size=None``: WP off;
            the paper uses 7, the reference code 8).
    """

    def __init__(self,
                 channels: int,
                 modules: Sequence[str] = ('csa', 'tca'),
                 num_heads: int = 4,
                 reduction: int = 4,
                 window_size: Optional[int] = 7,
                 kernel_size: int = 3,
                 attention: str = 'softmax',
                 dropout: float = 0.1,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        modules = tuple(modules)
        if not modules or set(modules) - {'csa', 'tca'} or len(
                set(modules)) != len(modules):
            raise ValueError(f"modules must be distinct 'csa' / 'tca', got "
                             f'{modules}')
        self.order = modules
        self.attns = nn.ModuleDict({
            name: WindowAttention(channels, num_heads, reduction, window_size,
                                  kernel_size, attention, dropout)
            for name in modules
        })

    @property
    def uses_template(self) -> bool:
        return 'tca' in self.order

    def forward(self, x: Tensor, z: Optional[Tensor] = None) -> Tensor:
        """``x`` ``(B, C, H, W)`` search map, ``z`` ``(B, C, h, w)``
        template map (needed with TCA); returns ``(B, C, H, W)``."""
        for name in self.order:
            if name == 'tca':
                if z is None:
                    raise ValueError('GIM with TCA needs the template map')
                if z.shape[0] != x.shape[0]:
                    z = z.expand(x.shape[0], -1, -1, -1)
                x = x + self.attns[name](x, z)
            else:
                x = x + self.attns[name](x)
        return x
