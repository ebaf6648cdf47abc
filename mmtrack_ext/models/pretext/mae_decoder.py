"""MAE's lightweight pixel decoder, reusable on any token grid."""
from functools import partial
from typing import Optional, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from timm.layers import trunc_normal_
from timm.models.vision_transformer import Block
from torch import Tensor

from mmtrack_ext.registry import MODELS
from ..backbones.vit_converters import mae_decoder_state_dict
from ..layers import sincos_grid_embedding, transformer_init_
from ..utils.pretrained import load_pretrained

__all__ = ['MAEDecoder', 'mae_decoder_converter']


def mae_decoder_converter(state, decoder):
    """Official MAE ``*_full.pth`` -> :class:`MAEDecoder` names; the
    checkpoint's fixed position table is not taken (the decoder computes
    the table of each grid it decodes)."""
    out = mae_decoder_state_dict(state)
    unused = [k for k in out if k == 'pos_embed']
    out.pop('pos_embed', None)
    return out, unused


@MODELS.register_module()
class MAEDecoder(BaseModule):
    """The MAE decoder (He et al., 2022), shared by several token grids.

    Visible encoder tokens are projected to the decoder width, the masked
    positions are filled with a learnable ``[mask]`` token, MAE's fixed 2-D
    sine-cosine table of the grid being decoded is added (zero for the cls
    token), and ``depth`` transformer blocks, a LayerNorm and a linear layer
    predict each patch's ``patch_size**2 * 3`` pixel values (MAE's order:
    row, column, channel within the patch). MAT runs the same decoder on the
    template grid (7 x 7) and on the search grid (14 x 14).

    Module names follow :func:`~mmtrack_ext.models.backbones.
    mae_decoder_state_dict`, so an official MAE ``*_full.pth`` checkpoint
    loads through ``pretrained``.

    Args:
        in_channels: encoder width (768 for ViT-B).
        embed_dim, depth, num_heads, mlp_ratio: decoder transformer (MAE:
            512, 8, 16, 4).
        patch_size: pixels per patch side (16).
        use_cls_token: the encoder output starts with a cls token (kept
            through the decoder, dropped before the prediction).
        pretrained: local MAE ``*_full.pth`` checkpoint (encoder + decoder)
            or ``None`` (random init).
    """

    def __init__(self,
                 in_channels: int = 768,
                 embed_dim: int = 512,
                 depth: int = 8,
                 num_heads: int = 16,
                 mlp_ratio: float = 4.,
                 patch_size: int = 16,
                 use_cls_token: bool = True,
                 pretrained: Optional[str] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        norm_layer = partial(nn.LayerNorm, eps=1e-6)
        self.embed = nn.Linear(in_channels, embed_dim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.blocks = nn.ModuleList([
            Block(embed_dim, num_heads, mlp_ratio=mlp_ratio, qkv_bias=True,
                  norm_layer=norm_layer) for _ in range(depth)
        ])
        self.norm = norm_layer(embed_dim)
        self.pred = nn.Linear(embed_dim, patch_size**2 * 3)
        self.embed_dim = embed_dim
        self.patch_size = patch_size
        self.use_cls_token = use_cls_token
        self.pretrained = pretrained
        trunc_normal_(self.mask_token, std=.02)
        self.apply(transformer_init_)

    def init_weights(self):
        super().init_weights()
        if self.pretrained:
            load_pretrained(self, self.pretrained,
                            converter=mae_decoder_converter)

    def forward(self, tokens: Tensor, keep: Optional[Tensor],
                grid: Tuple[int, int]) -> Tensor:
        """Decode one grid.

        Args:
            tokens: ``(B, [1 +] K, C)`` encoded visible tokens (the cls token
                first with ``use_cls_token``), in the order of ``keep``.
            keep: ``(B, K)`` long row-major grid indices of the visible
                tokens, or ``None`` when every position is visible
                (``K = h * w``, in grid order).
            grid: ``(h, w)`` in tokens.

        Returns:
            ``(B, h * w, patch_size**2 * 3)`` predicted pixels of every
            patch (visible and masked).
        """
        x = self.embed(tokens)
        n_cls = int(self.use_cls_token)
        cls, vis = x[:, :n_cls], x[:, n_cls:]
        b, n = x.shape[0], grid[0] * grid[1]
        if keep is None:
            if vis.shape[1] != n:
                raise ValueError(f'{vis.shape[1]} tokens for a {grid} grid '
                                 'without keep indices')
            full = vis
        else:
            full = self.mask_token.to(vis.dtype).expand(b, n, -1).clone()
            full.scatter_(1, keep[..., None].expand(-1, -1, vis.shape[-1]),
                          vis)
        pos = sincos_grid_embedding(*grid, self.embed_dim,
                                    device=x.device).to(x.dtype)
        x = torch.cat([cls, full + pos], dim=1)
        for blk in self.blocks:
            x = blk(x)
        return self.pred(self.norm(x))[:, n_cls:]
