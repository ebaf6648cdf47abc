"""Target-indicating token (JN): the template's box as encoder input."""
from typing import Optional, Tuple

import math

import torch
import torch.nn as nn
from timm.layers import trunc_normal_
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures import xyxy_to_cxcywh


def _mlp(in_dim: int, hidden: int, out_dim: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(in_dim, hidden), nn.GELU(), nn.Linear(hidden, out_dim))


def sincos_box_embedding(values: Tensor, dim: int,
                         temperature: float = 10000.) -> Tensor:
    """Fixed sine-cosine embedding of normalised box numbers (DETR style).

    Args:
        values: ``(..., k)`` numbers in [0, 1].
        dim: output width, a multiple of ``2 k``: each number gets
            ``dim / k`` channels, half sines, half cosines of
            ``2 pi v / temperature ** (2 i / (dim / k))``.

    Returns:
        ``(..., dim)``.
    """
    k = values.shape[-1]
    if dim % (2 * k):
        raise ValueError(f'sin-cos embedding of {k} numbers needs a width '
                         f'divisible by {2 * k}, got {dim}')
    half = dim // (2 * k)
    freq = temperature**(-torch.arange(
        half, device=values.device, dtype=torch.float32) / half)
    angles = values.float()[..., None] * (2 * math.pi) * freq  # (..., k, h)
    return torch.cat([angles.sin(), angles.cos()], dim=-1).flatten(-2)


@MODELS.register_module()
class TargetIndicatingToken(nn.Module):
    """Encode each template's target box for a one-stream encoder (JN
    Sec. 3.2, Fig. 4, Table 5).

    Modes (JN Fig. 4):

    - ``'token'`` (c, the TIT): an MLP maps the box to one token per
      template, concatenated to the sequence without positional embedding
      and dropped after the encoder (JN Eq. 4). With
      ``encoding='sincos'`` the token is a fixed sine-cosine embedding of
      the box numbers instead (Table 5, "concat / Sin-Cos / 1").
    - ``'tokens'`` (b): one token per box coordinate, each the same MLP of
      that number plus a learnt embedding of which coordinate it is.
    - ``'mask'`` (a): a pseudo-mask of the box on the template's patch grid
      (patches whose centre lies in the box) selects one of two learnt
      embeddings, added to the template tokens (a 1x1 conv of the binary
      mask on the patch grid: Table 5, "add / Conv").

    Box formats (of ``xyxy`` boxes normalised to the template crop):
    ``'cxcywh'`` (the paper's ``(x, y, w, h)``), ``'xyxy'`` (the authors'
    LiteTrack code) or ``'wh'`` (size only, JN appendix B).

    Args:
        embed_dim: width of the encoder tokens.
        mode: ``'token'``, ``'tokens'`` or ``'mask'``.
        box_format: ``'cxcywh'``, ``'xyxy'`` or ``'wh'``.
        hidden_dim: hidden width of the MLP (default ``embed_dim``; LiteTrack
            uses the input width, 4).
        encoding: ``'mlp'`` or ``'sincos'`` (``mode='token'`` only).
    """
    MODES = ('token', 'tokens', 'mask')
    FORMATS = {'cxcywh': 4, 'xyxy': 4, 'wh': 2}

    def __init__(self, embed_dim: int, mode: str = 'token',
                 box_format: str = 'cxcywh',
                 hidden_dim: Optional[int] = None,
                 encoding: str = 'mlp'):
        super().__init__()
        if encoding not in ('mlp', 'sincos'):
            raise ValueError(f"encoding must be 'mlp' or 'sincos', got "
                             f'{encoding!r}')
        if encoding == 'sincos' and mode != 'token':
            raise ValueError("encoding='sincos' needs mode='token'")
        self.encoding = encoding
        if mode not in self.MODES:
            raise ValueError(f'mode must be one of {self.MODES}, got {mode!r}')
        if box_format not in self.FORMATS:
            raise ValueError(f'box_format must be one of '
                             f'{tuple(self.FORMATS)}, got {box_format!r}')
        self.embed_dim, self.mode, self.box_format = embed_dim, mode, box_format
        num = self.FORMATS[box_format]
        hidden = int(hidden_dim or embed_dim)
        if mode == 'token' and encoding == 'sincos':
            sincos_box_embedding(torch.zeros(1, num), embed_dim)  # checks
        elif mode == 'token':
            self.mlp = _mlp(num, hidden, embed_dim)
        elif mode == 'tokens':
            self.mlp = _mlp(1, hidden, embed_dim)
            self.coord_embed = nn.Parameter(torch.zeros(1, num, embed_dim))
            trunc_normal_(self.coord_embed, std=.02)
        else:
            self.region_embed = nn.Parameter(torch.zeros(2, embed_dim))
            trunc_normal_(self.region_embed, std=.02)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                trunc_normal_(m.weight, std=.02)
                nn.init.zeros_(m.bias)

    @property
    def num_tokens(self) -> int:
        """Tokens added to the sequence per template (0 for ``'mask'``)."""
        return {'token': 1, 'tokens': self.FORMATS[self.box_format],
                'mask': 0}[self.mode]

    def box_features(self, boxes: Tensor) -> Tensor:
        """``(B, T, 4)`` normalised xyxy -> ``(B, T, k)`` in ``box_format``."""
        if self.box_format == 'xyxy':
            return boxes
        cxcywh = xyxy_to_cxcywh(boxes)
        return cxcywh if self.box_format == 'cxcywh' else cxcywh[..., 2:]

    def tokens(self, boxes: Tensor) -> Tensor:
        """Tokens to concatenate: ``(B, T * num_tokens, C)``.

        Args:
            boxes: ``(B, T, 4)`` xyxy normalised to each template crop.
        """
        feats = self.box_features(boxes.float())
        if self.encoding == 'sincos':
            return sincos_box_embedding(feats, self.embed_dim).flatten(1, -2)
        if self.mode == 'token':
            return self.mlp(feats).flatten(1, -2)
        if self.mode == 'tokens':
            out = self.mlp(feats[..., None]) + self.coord_embed[:, None]
            return out.flatten(1, 2)
        raise RuntimeError("mode='mask' adds to the template tokens: use "
                           'template_embedding()')

    def template_embedding(self, boxes: Tensor,
                           grid: Tuple[int, int]) -> Tensor:
        """``'mask'`` mode: ``(B, T * h * w, C)`` embeddings to add to the
        template tokens of a ``grid = (h, w)`` patch grid."""
        if self.mode != 'mask':
            raise RuntimeError(f"mode={self.mode!r} concatenates tokens: use "
                               'tokens()')
        h, w = grid
        ys = (torch.arange(h, device=boxes.device) + 0.5) / h
        xs = (torch.arange(w, device=boxes.device) + 0.5) / w
        x1, y1, x2, y2 = (v[..., None, None] for v in boxes.unbind(-1))
        in_x = (xs >= x1) & (xs <= x2)  # (B, T, 1, w)
        in_y = (ys[:, None] >= y1) & (ys[:, None] <= y2)  # (B, T, h, 1)
        inside = in_x & in_y  # (B, T, h, w)
        embed = self.region_embed[inside.long()]  # (B, T, h, w, C)
        return embed.flatten(1, 3)
