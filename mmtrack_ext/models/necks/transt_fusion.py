"""TransT's attention-based feature fusion (TransInMo*)."""
from typing import Optional, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures.backbone_output import BackboneOutput
from ..layers.target_token import sincos_box_embedding

__all__ = ['TransTFeatureFusion', 'sine_position_embedding']


def sine_position_embedding(h: int, w: int, dim: int,
                            device=None) -> Tensor:
    """DETR's normalised sine embedding of an ``h x w`` grid: ``(h * w,
    dim)``, half the channels for the row ``(i + 1) / h``, half for the
    column ``(j + 1) / w``, each as sines and cosines of ``2 pi v /
    10000 ** (2 k / (dim / 2))`` (DETR interleaves the sines and cosines;
    here they are in two blocks, the same functions)."""
    ys = (torch.arange(h, device=device, dtype=torch.float32) + 1) / h
    xs = (torch.arange(w, device=device, dtype=torch.float32) + 1) / w
    grid = torch.stack(torch.meshgrid(ys, xs, indexing='ij'), dim=-1)
    return sincos_box_embedding(grid.reshape(-1, 2), dim)


class _AttnBlock(nn.Module):
    """Post-norm attention + residual (queries and keys carry positions,
    values do not), as in TransT / DETR."""

    def __init__(self, channels: int, num_heads: int, dropout: float):
        super().__init__()
        self.attn = nn.MultiheadAttention(channels, num_heads,
                                          dropout=dropout, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.norm = nn.LayerNorm(channels)

    def forward(self, x: Tensor, x_pos: Tensor, mem: Tensor,
                mem_pos: Tensor) -> Tensor:
        out = self.attn(x + x_pos, mem + mem_pos, mem, need_weights=False)[0]
        return self.norm(x + self.drop(out))


class _FFN(nn.Module):

    def __init__(self, channels: int, ffn_channels: int, dropout: float):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(channels, ffn_channels), nn.ReLU(inplace=True),
            nn.Dropout(dropout), nn.Linear(ffn_channels, channels))
        self.drop = nn.Dropout(dropout)
        self.norm = nn.LayerNorm(channels)

    def forward(self, x: Tensor) -> Tensor:
        return self.norm(x + self.drop(self.net(x)))


class FeatureFusionLayer(nn.Module):
    """One TransT encoder layer: ego-context augment (self-attention) of
    each branch, then cross-feature augment (each branch attends to the
    other) with an FFN per branch."""

    def __init__(self, channels: int, num_heads: int, ffn_channels: int,
                 dropout: float):
        super().__init__()
        self.eca_z = _AttnBlock(channels, num_heads, dropout)
        self.eca_x = _AttnBlock(channels, num_heads, dropout)
        self.cfa_z = _AttnBlock(channels, num_heads, dropout)
        self.cfa_x = _AttnBlock(channels, num_heads, dropout)
        self.ffn_z = _FFN(channels, ffn_channels, dropout)
        self.ffn_x = _FFN(channels, ffn_channels, dropout)

    def forward(self, z: Tensor, z_pos: Tensor, x: Tensor,
                x_pos: Tensor) -> Tuple[Tensor, Tensor]:
        z = self.eca_z(z, z_pos, z, z_pos)
        x = self.eca_x(x, x_pos, x, x_pos)
        z, x = (self.cfa_z(z, z_pos, x, x_pos),
                self.cfa_x(x, x_pos, z, z_pos))
        return self.ffn_z(z), self.ffn_x(x)


@MODELS.register_module()
class TransTFeatureFusion(BaseModule):
    """TransT's feature fusion network as a neck (TransInMo*, Table 5).

    Template and search maps (projected to ``channels`` by a shared 1x1
    conv when the backbone's width differs) become token sequences with
    DETR's sine positions; ``num_layers`` :class:`FeatureFusionLayer`
    (ECA on each branch, then CFA both ways) and a final CFA in which the
    search tokens attend to the template's (TransT's decoder) give the
    fused search map. ``num_layers=0`` keeps only that final CFA (Table
    5's "0 + 1"). Several templates are concatenated as keys.

    Args:
        in_channels: channels of the backbone maps.
        channels: attention width (TransInMo*: 256).
        num_heads: attention heads.
        ffn_channels: hidden width of the FFNs.
        num_layers: encoder layers (TransInMo*: 4).
        dropout: attention and FFN dropout (0.1).
    """

    def __init__(self,
                 in_channels: int = 256,
                 channels: int = 256,
                 num_heads: int = 8,
                 ffn_channels: int = 2048,
                 num_layers: int = 4,
                 dropout: float = 0.1,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if channels % 4:
            raise ValueError(f'channels must be a multiple of 4 (sine '
                             f'positions), got {channels}')
        self.input_proj = (nn.Conv2d(in_channels, channels, 1)
                           if in_channels != channels else nn.Identity())
        self.layers = nn.ModuleList([
            FeatureFusionLayer(channels, num_heads, ffn_channels, dropout)
            for _ in range(num_layers)
        ])
        self.decoder = _AttnBlock(channels, num_heads, dropout)
        self.decoder_ffn = _FFN(channels, ffn_channels, dropout)
        self.channels = channels
        self.out_channels = channels
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)

    def forward(self, feats: BackboneOutput) -> BackboneOutput:
        """Fuse ``feats.search`` ``(B, C, H, W)`` with ``feats.template``
        ``(B, T, C, h, w)``; returns ``search`` ``(B, channels, H, W)``."""
        if feats.template is None:
            raise ValueError('TransTFeatureFusion needs template maps in the '
                             'backbone output')
        b, t = feats.template.shape[:2]
        x = self.input_proj(feats.search)
        z = self.input_proj(feats.template.flatten(0, 1))
        h, w = x.shape[-2:]
        zh, zw = z.shape[-2:]
        dev = x.device
        x_pos = sine_position_embedding(h, w, self.channels, dev)[None].to(
            x.dtype)
        z_pos = sine_position_embedding(zh, zw, self.channels, dev).to(
            z.dtype).repeat(t, 1)[None]
        x = x.flatten(2).transpose(1, 2)
        z = z.reshape(b, t, self.channels, zh * zw).permute(0, 1, 3, 2)
        z = z.reshape(b, t * zh * zw, self.channels)
        for layer in self.layers:
            z, x = layer(z, z_pos, x, x_pos)
        x = self.decoder_ffn(self.decoder(x, x_pos, z, z_pos))
        return feats.replace(
            search=x.transpose(1, 2).reshape(b, self.channels, h, w))
