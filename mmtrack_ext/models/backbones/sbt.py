"""SBT: the single-branch correlation-aware transformer (Xie et al.,
"Correlation-Aware Deep Tracking", CVPR 2022).

A PVTv2-style hierarchy of Extract-or-Correlation (EoC) blocks shared by the
template and the search image. Every block has spatial-reduction global
attention (keys and values from a strided convolution of the source map)
and an MLP with a 3x3 depth-wise convolution (the conditional positional
encoding). An *EoC-SA* block lets each image attend to itself; an *EoC-CA*
block lets the search tokens attend to the template's keys and the template
tokens to the search's, with the same weights. The search tokens after the
last stage are the output (stride 8 for the tracking form).

Template caching: every operation before the first EoC-CA block treats the
two images separately, so :meth:`SBT.encode_template` runs that prefix once
per video and :meth:`SBT.encode_search` continues from it. Without any CA
block the whole template path is cached and SBT is a Siamese backbone.
"""
import math
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from timm.layers import DropPath
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures.backbone_output import BackboneOutput
from ..layers import mimetic_init_, transformer_init_
from ..utils.pretrained import load_pretrained
from .base_sot_backbone import BaseSOTBackbone

__all__ = ['SBT', 'SBTClassifier', 'EoCBlock', 'SpatialReductionAttention',
           'OverlapPatchEmbed', 'SBT_ARCHS', 'pvt_v2_converter']

#: Table 2 of the paper: four-stage settings (the tracking form keeps the
#: first three stages); ``ca_positions`` are 1-based blocks of stage 3.
#: ``mlp_ratios`` 4 everywhere ("MLP_c: hidden channel 4c"); the released
#: code initialises from PVTv2-b3, whose first two stages use ratio 8.
SBT_ARCHS: Dict[str, dict] = {
    'light': dict(embed_dims=(32, 64, 160, 256), num_heads=(1, 2, 5, 8),
                  depths=(2, 2, 6, 2), sr_ratios=(8, 4, 2, 1),
                  mlp_ratios=(4, 4, 4, 4), ca_positions=(2, 4, 6)),
    'small': dict(embed_dims=(64, 128, 320, 512), num_heads=(1, 2, 5, 8),
                  depths=(2, 2, 6, 2), sr_ratios=(8, 4, 2, 1),
                  mlp_ratios=(4, 4, 4, 4), ca_positions=(2, 4, 6)),
    'base': dict(embed_dims=(64, 128, 320, 512), num_heads=(1, 2, 5, 8),
                 depths=(3, 4, 10, 2), sr_ratios=(8, 4, 2, 1),
                 mlp_ratios=(4, 4, 4, 4), ca_positions=(2, 4, 6, 8, 10)),
    'large': dict(embed_dims=(64, 128, 320, 512), num_heads=(1, 2, 5, 8),
                  depths=(3, 4, 18, 2), sr_ratios=(8, 4, 2, 1),
                  mlp_ratios=(4, 4, 4, 4),
                  ca_positions=(6, 8, 10, 12, 14, 16, 18)),
}

Grid = Tuple[int, int]


class OverlapPatchEmbed(nn.Module):
    """``Conv(k, dim, stride)`` with ``k // 2`` padding, then LayerNorm:
    ``(B, C_in, H, W) -> (B, H' * W', dim)`` tokens and ``(H', W')``."""

    def __init__(self, in_channels: int, embed_dim: int, kernel_size: int,
                 stride: int):
        super().__init__()
        self.proj = nn.Conv2d(in_channels, embed_dim, kernel_size, stride,
                              padding=kernel_size // 2)
        self.norm = nn.LayerNorm(embed_dim)

    def forward(self, x: Tensor) -> Tuple[Tensor, Grid]:
        x = self.proj(x)
        grid = (x.shape[2], x.shape[3])
        return self.norm(x.flatten(2).transpose(1, 2)), grid


def tokens_to_map(tokens: Tensor, grid: Grid) -> Tensor:
    """``(B, H * W, C)`` row-major tokens -> ``(B, C, H, W)``."""
    b, n, c = tokens.shape
    return tokens.transpose(1, 2).reshape(b, c, *grid)


class SpatialReductionAttention(nn.Module):
    """Multi-head attention whose keys and values come from a source map
    reduced by a ``sr_ratio`` strided convolution and a LayerNorm (PVT's SRA);
    ``sr_ratio=1`` is plain global attention. The queries keep their full
    resolution.

    Self-attention: ``attend(x, reduce(x, grid))``; cross-attention:
    ``attend(x, reduce(other, other_grid))``.
    """

    def __init__(self, dim: int, num_heads: int, sr_ratio: int = 1,
                 qkv_bias: bool = True, norm_eps: float = 1e-6):
        super().__init__()
        if dim % num_heads:
            raise ValueError(f'dim {dim} is not divisible by num_heads '
                             f'{num_heads}')
        self.num_heads = num_heads
        self.scale = (dim // num_heads)**-0.5
        self.q = nn.Linear(dim, dim, bias=qkv_bias)
        self.kv = nn.Linear(dim, dim * 2, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)
        self.sr_ratio = sr_ratio
        if sr_ratio > 1:
            self.sr = nn.Conv2d(dim, dim, sr_ratio, sr_ratio)
            self.norm = nn.LayerNorm(dim, eps=norm_eps)
        self.fused = True

    def reduce(self, source: Tensor, grid: Grid) -> Tensor:
        """``(B, H * W, C)`` -> ``(B, M, C)`` key/value source tokens."""
        if self.sr_ratio == 1:
            return source
        if grid[0] < self.sr_ratio or grid[1] < self.sr_ratio:
            raise ValueError(
                f'a {grid[0]}x{grid[1]} token map is smaller than the '
                f'spatial reduction ratio {self.sr_ratio}; use a larger '
                'input or smaller sr_ratios')
        x = self.sr(tokens_to_map(source, grid))
        return self.norm(x.flatten(2).transpose(1, 2))

    def attend(self, x: Tensor, source: Tensor) -> Tensor:
        """Queries from ``x`` ``(B, N, C)``, keys/values from the reduced
        ``source`` ``(B, M, C)``; returns ``(B, N, C)``."""
        b, n, c = x.shape
        h = self.num_heads
        q = self.q(x).reshape(b, n, h, c // h).transpose(1, 2)
        kv = self.kv(source).reshape(b, -1, 2, h, c // h).permute(2, 0, 3, 1, 4)
        k, v = kv[0], kv[1]
        if self.fused:
            out = F.scaled_dot_product_attention(q, k, v)
        else:
            attn = (q * self.scale) @ k.transpose(-2, -1)
            out = attn.softmax(dim=-1) @ v
        return self.proj(out.transpose(1, 2).reshape(b, n, c))


class ConvMlp(nn.Module):
    """``Linear -> 3x3 depth-wise conv -> GELU -> Linear`` on a token grid
    (the depth-wise conv is SBT's conditional positional encoding)."""

    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.dwconv = nn.Conv2d(hidden, hidden, 3, 1, 1, groups=hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: Tensor, grid: Grid) -> Tensor:
        x = self.fc1(x)
        x = self.dwconv(tokens_to_map(x, grid)).flatten(2).transpose(1, 2)
        return self.fc2(self.act(x))


class EoCBlock(nn.Module):
    """Extract-or-Correlation block: pre-norm attention and MLP, each with a
    residual. :meth:`forward` is EoC-SA on one image; :meth:`cross` is
    EoC-CA on a template/search pair (both updated, same weights)."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float,
                 sr_ratio: int, qkv_bias: bool = True, drop_path: float = 0.,
                 norm_eps: float = 1e-6):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=norm_eps)
        self.attn = SpatialReductionAttention(dim, num_heads, sr_ratio,
                                              qkv_bias, norm_eps)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()
        self.norm2 = nn.LayerNorm(dim, eps=norm_eps)
        self.mlp = ConvMlp(dim, int(dim * mlp_ratio))

    def _mlp(self, x: Tensor, grid: Grid) -> Tensor:
        return x + self.drop_path(self.mlp(self.norm2(x), grid))

    def forward(self, x: Tensor, grid: Grid) -> Tensor:
        """EoC-SA: ``(B, N, C)`` tokens of one image on ``grid``."""
        y = self.norm1(x)
        x = x + self.drop_path(self.attn.attend(y, self.attn.reduce(y, grid)))
        return self._mlp(x, grid)

    def cross(self, z: Tensor, z_grid: Grid, x: Tensor, x_grid: Grid
              ) -> Tuple[Tensor, Tensor]:
        """EoC-CA: ``z`` ``(B * T, Nz, C)`` template tokens (``T`` templates
        per search) and ``x`` ``(B, Nx, C)`` search tokens; the search
        attends to the keys of all its templates, each template to the
        search's keys."""
        t = z.shape[0] // x.shape[0]
        nz, nx = self.norm1(z), self.norm1(x)
        kz = self.attn.reduce(nz, z_grid)  # (B * T, Mz, C)
        kz = kz.reshape(x.shape[0], -1, kz.shape[-1])
        kx = self.attn.reduce(nx, x_grid)
        if t > 1:
            kx = kx.repeat_interleave(t, dim=0)
        z = z + self.drop_path(self.attn.attend(nz, kx))
        x = x + self.drop_path(self.attn.attend(nx, kz))
        return self._mlp(z, z_grid), self._mlp(x, x_grid)


_Step = Tuple[str, int, int]  # ('embed' | 'block' | 'norm', stage, block)


def _ca_set(positions: Sequence, num_stages: int) -> List[Tuple[int, int]]:
    """``[(stage, block)]`` 0-based from 1-based ints (blocks of the last
    stage) or ``(stage, block)`` pairs."""
    out = []
    for p in positions:
        if isinstance(p, int):
            out.append((num_stages - 1, p - 1))
        else:
            s, b = p
            out.append((int(s) - 1, int(b) - 1))
    return sorted(set(out))


@MODELS.register_module()
class SBT(BaseSOTBackbone):
    """Single-branch transformer backbone (template and search through the
    same EoC blocks, correlation embedded by EoC-CA blocks).

    Args:
        arch: ``'light'``, ``'small'``, ``'base'``, ``'large'``
            (:data:`SBT_ARCHS`, the paper's Table 2) or a dict with the same
            keys. The keyword arguments below override single entries.
        num_stages: stages kept (3 for tracking, 4 for classification).
        strides: patch-embedding stride per stage: ``(4, 2, 1)`` (tracking,
            output stride 8) or ``(4, 2, 2, 2)`` (classification / PVTv2).
        patch_sizes: patch-embedding kernel per stage (7, 3, 3, 3).
        ca_positions: EoC-CA blocks: ints are 1-based blocks of the last
            stage (Table 2's ``[2, 4, 6]``), pairs ``(stage, block)`` are
            1-based anywhere; ``()`` gives a Siamese (CA-free) backbone.
            ``None`` takes the arch's.
        out_blocks: blocks whose outputs (through their stage's norm) are
            also returned as ``search_levels`` / ``template_levels``, e.g.
            ``[6, 8, 10]`` (same notation as ``ca_positions``) for a
            layer-wise correlation neck (the paper's Table 7).
        embed_dims, num_heads, depths, sr_ratios, mlp_ratios: per-stage
            overrides of the arch (``sr_ratios`` of 1 everywhere is plain
            global attention, the paper's "VG").
        qkv_bias: bias of the query/key/value projections.
        drop_path_rate: stochastic depth of the last block (linear ramp).
        norm_eps: epsilon of the blocks' and stage norms' LayerNorms
            (PVTv2: 1e-6; patch-embedding norms keep 1e-5).
        template_size, search_size: crop sizes (px) the backbone is built
            for (the tracker reads them when ``test_cfg`` does not set them).
        attn_impl: ``'fused'`` (``F.scaled_dot_product_attention``),
            ``'math'`` or ``'auto'`` (math for training on CPU, where the
            fused backward is slower).
        attn_init: ``'trunc_normal'`` (PVTv2) or ``'mimetic'`` (for
            training from scratch; see :meth:`_init_mimetic`).
        pretrained: local checkpoint: timm's ``pvt_v2_b*`` (timm or original
            PVT key layout, see :func:`pvt_v2_converter`) or an MMEngine
            checkpoint of an SBT (``pretrained_prefix='backbone.'``).
        pretrained_prefix: see :func:`~mmtrack_ext.models.utils.load_pretrained`.
    """

    def __init__(self,
                 arch: Union[str, dict] = 'base',
                 num_stages: int = 3,
                 strides: Sequence[int] = (4, 2, 1),
                 patch_sizes: Sequence[int] = (7, 3, 3, 3),
                 ca_positions: Optional[Sequence] = None,
                 out_blocks: Sequence = (),
                 embed_dims: Optional[Sequence[int]] = None,
                 num_heads: Optional[Sequence[int]] = None,
                 depths: Optional[Sequence[int]] = None,
                 sr_ratios: Optional[Sequence[int]] = None,
                 mlp_ratios: Optional[Sequence[float]] = None,
                 qkv_bias: bool = True,
                 drop_path_rate: float = 0.1,
                 norm_eps: float = 1e-6,
                 template_size: Optional[int] = None,
                 search_size: Optional[int] = None,
                 attn_impl: str = 'auto',
                 attn_init: str = 'trunc_normal',
                 pretrained: Optional[str] = None,
                 pretrained_prefix: Optional[str] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if attn_init not in ('trunc_normal', 'mimetic'):
            raise ValueError(f"attn_init must be 'trunc_normal' or "
                             f"'mimetic', got {attn_init!r}")
        if isinstance(arch, str):
            if arch not in SBT_ARCHS:
                raise KeyError(f'unknown SBT arch {arch!r}; choose one of '
                               f'{sorted(SBT_ARCHS)} or pass a dict')
            arch = SBT_ARCHS[arch]
        arch = dict(arch)
        for key, value in (('embed_dims', embed_dims), ('num_heads', num_heads),
                           ('depths', depths), ('sr_ratios', sr_ratios),
                           ('mlp_ratios', mlp_ratios)):
            if value is not None:
                arch[key] = tuple(value)
        for key in ('embed_dims', 'num_heads', 'depths', 'sr_ratios',
                    'mlp_ratios'):
            if key not in arch:
                raise KeyError(f'SBT arch lacks {key!r}')
            if len(arch[key]) < num_stages:
                raise ValueError(f'{key}={arch[key]} has fewer than '
                                 f'num_stages={num_stages} entries')
        if len(strides) < num_stages:
            raise ValueError(f'strides={tuple(strides)} has fewer than '
                             f'num_stages={num_stages} entries')
        if attn_impl not in ('auto', 'fused', 'math'):
            raise ValueError(f"attn_impl must be 'auto', 'fused' or 'math', "
                             f'got {attn_impl!r}')
        self.attn_impl = attn_impl
        self.num_stages = num_stages
        dims = arch['embed_dims'][:num_stages]
        depths = arch['depths'][:num_stages]
        self.embed_dims, self.depths = tuple(dims), tuple(depths)
        self.strides = tuple(strides[:num_stages])
        if ca_positions is None:
            ca_positions = arch.get('ca_positions', ())
        self.ca_blocks = _ca_set(ca_positions, num_stages)
        for s, b in self.ca_blocks:
            if not (0 <= s < num_stages and 0 <= b < depths[s]):
                raise ValueError(
                    f'ca_positions: block {b + 1} of stage {s + 1} does not '
                    f'exist (depths {tuple(depths)})')
        self.out_blocks = _ca_set(out_blocks, num_stages)
        for s, b in self.out_blocks:
            if not (0 <= s < num_stages and 0 <= b < depths[s]):
                raise ValueError(
                    f'out_blocks: block {b + 1} of stage {s + 1} does not '
                    f'exist (depths {tuple(depths)})')
        #: channels of each ``out_blocks`` level
        self.level_channels = [dims[s] for s, _ in self.out_blocks]
        self.out_channels = dims[-1]
        self.out_stride = math.prod(self.strides)
        self.template_size = template_size
        self.search_size = search_size

        total = sum(depths)
        dpr = torch.linspace(0, drop_path_rate, total).tolist()
        self.patch_embeds = nn.ModuleList()
        self.stages = nn.ModuleList()
        self.norms = nn.ModuleList()
        in_ch, k = 3, 0
        for i in range(num_stages):
            self.patch_embeds.append(OverlapPatchEmbed(
                in_ch, dims[i], patch_sizes[i], self.strides[i]))
            self.stages.append(nn.ModuleList([
                EoCBlock(dims[i], arch['num_heads'][i], arch['mlp_ratios'][i],
                         arch['sr_ratios'][i], qkv_bias, dpr[k + j], norm_eps)
                for j in range(depths[i])
            ]))
            self.norms.append(nn.LayerNorm(dims[i], eps=norm_eps))
            in_ch, k = dims[i], k + depths[i]
        self.steps: List[_Step] = []
        for i in range(num_stages):
            self.steps.append(('embed', i, -1))
            self.steps += [('block', i, j) for j in range(depths[i])]
            self.steps.append(('norm', i, -1))
        ca = set(self.ca_blocks)
        first = [n for n, (kind, s, b) in enumerate(self.steps)
                 if kind == 'block' and (s, b) in ca]
        #: steps before the first EoC-CA block: per image, cached for the
        #: template
        self.num_prefix_steps = first[0] if first else len(self.steps)
        self.pretrained = pretrained
        self.pretrained_prefix = pretrained_prefix
        self.apply(self._init_module)
        if attn_init == 'mimetic':
            self._init_mimetic()

    @torch.no_grad()
    def _init_mimetic(self):
        """Mimetic attention init (``q . k`` starts as a token similarity,
        :func:`~mmtrack_ext.models.layers.mimetic_init_`), with every
        reduction conv starting as an average pool, so that the keys are
        averages of the source tokens they summarise."""
        for stage in self.stages:
            for blk in stage:
                mimetic_init_(blk.attn)
                if blk.attn.sr_ratio > 1:
                    conv = blk.attn.sr
                    conv.weight.zero_()
                    idx = torch.arange(conv.out_channels)
                    conv.weight[idx, idx] = 1. / conv.weight[0, 0].numel()
                    conv.bias.zero_()

    @staticmethod
    def _init_module(m: nn.Module):
        """PVTv2's initialisation: :func:`transformer_init_` and
        fan-out normal convolutions."""
        transformer_init_(m)
        if isinstance(m, nn.Conv2d):
            fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
            fan_out //= m.groups
            nn.init.normal_(m.weight, 0, math.sqrt(2.0 / fan_out))
            if m.bias is not None:
                nn.init.zeros_(m.bias)

    def init_weights(self):
        super().init_weights()
        if self.pretrained:
            load_pretrained(self, self.pretrained,
                            prefix=self.pretrained_prefix,
                            converter=pvt_v2_converter)

    def is_cross(self, stage: int, block: int) -> bool:
        return (stage, block) in self.ca_blocks

    def _set_attention(self, x: Tensor) -> None:
        fused = (self.attn_impl == 'fused' or
                 (self.attn_impl == 'auto' and
                  not (self.training and x.device.type == 'cpu')))
        for stage in self.stages:
            for blk in stage:
                blk.attn.fused = fused

    # ------------------------------------------------------------ one image
    def _step(self, step: _Step, tokens: Optional[Tensor], grid: Grid,
              img: Optional[Tensor] = None) -> Tuple[Tensor, Grid]:
        """One CA-free step on one image (``img`` for the first embed)."""
        kind, s, b = step
        if kind == 'embed':
            x = img if s == 0 else tokens_to_map(tokens, grid)
            return self.patch_embeds[s](x)
        if kind == 'norm':
            return self.norms[s](tokens), grid
        return self.stages[s][b](tokens, grid), grid

    def _level(self, tokens: Tensor, grid: Grid, stage: int) -> Tensor:
        """An ``out_blocks`` output: the block's tokens through the stage's
        norm, as a map."""
        return tokens_to_map(self.norms[stage](tokens), grid)

    def _run_single(self, img: Tensor, end: int
                    ) -> Tuple[Tensor, Grid, List[Tensor]]:
        """The first ``end`` steps on one image; returns the tokens, their
        grid and the maps of the ``out_blocks`` passed."""
        tokens, grid = None, (img.shape[-2], img.shape[-1])
        levels = []
        for step in self.steps[:end]:
            tokens, grid = self._step(step, tokens, grid, img)
            if step[0] == 'block' and step[1:] in self.out_blocks:
                levels.append(self._level(tokens, grid, step[1]))
        return tokens, grid, levels

    def forward_features(self, img: Tensor) -> List[Tensor]:
        """``(B, 3, H, W)`` image through every stage, EoC-CA blocks run as
        EoC-SA (one image): the ``(B, C_i, H_i, W_i)`` map after each stage
        norm (the classification form; a CA-free SBT)."""
        self._set_attention(img)
        outs, tokens, grid = [], None, (img.shape[-2], img.shape[-1])
        for step in self.steps:
            tokens, grid = self._step(step, tokens, grid, img)
            if step[0] == 'norm':
                outs.append(tokens_to_map(tokens, grid))
        return outs

    # ------------------------------------------------------------ tracking
    def encode_template(self, template: Tensor, **extras) -> Dict[str, Any]:
        """Run ``(B, T, 3, h, w)`` (or ``(B, 3, h, w)``) templates through
        the steps before the first EoC-CA block.

        Returns:
            dict: ``tokens`` ``(B * T, N, C)``, ``grid`` ``(h', w')``,
            ``num_templates`` and ``levels`` (maps of the ``out_blocks``
            in the prefix); without CA blocks ``tokens`` are the final
            template features.
        """
        self.check_extras(extras)
        if template.dim() == 4:
            template = template[:, None]
        b, t = template.shape[:2]
        self._set_attention(template)
        tokens, grid, levels = self._run_single(template.flatten(0, 1),
                                                self.num_prefix_steps)
        return dict(tokens=tokens, grid=grid, num_templates=t,
                    levels=levels)

    def encode_search(self, search: Tensor, memory: Dict[str, Any],
                      **extras) -> BackboneOutput:
        """Run the search image through the prefix, then both images
        through the remaining steps (EoC-CA blocks mix them).

        Returns:
            BackboneOutput: ``search`` ``(B, C, H / 8, W / 8)`` (tracking
            form) and ``template`` ``(B, T, C, h / 8, w / 8)``, both after
            the last stage norm.
        """
        self.check_extras(extras)
        self._set_attention(search)
        b = search.shape[0]
        t = memory['num_templates']
        z, z_grid = memory['tokens'], memory['grid']
        if z.shape[0] != b * t:  # one cached template for a batch
            z = z.reshape(-1, t, *z.shape[1:]).expand(b, -1, -1, -1)
            z = z.flatten(0, 1)
        x, x_grid, x_levels = self._run_single(search, self.num_prefix_steps)
        z_levels = list(memory['levels'])
        for step in self.steps[self.num_prefix_steps:]:
            kind, s, blk = step
            if kind == 'block' and self.is_cross(s, blk):
                z, x = self.stages[s][blk].cross(z, z_grid, x, x_grid)
            else:
                z, z_grid = self._step(step, z, z_grid)
                x, x_grid = self._step(step, x, x_grid)
            if kind == 'block' and (s, blk) in self.out_blocks:
                z_levels.append(self._level(z, z_grid, s))
                x_levels.append(self._level(x, x_grid, s))

        def with_templates(zmap: Tensor) -> Tensor:
            if zmap.shape[0] != b * t:
                zmap = zmap.reshape(-1, t, *zmap.shape[1:]).expand(
                    b, -1, -1, -1, -1).flatten(0, 1)
            return zmap.reshape(b, t, *zmap.shape[1:])

        out = BackboneOutput(
            search=tokens_to_map(x, x_grid),
            template=with_templates(tokens_to_map(z, z_grid)))
        if self.out_blocks:
            out.search_levels = x_levels
            out.template_levels = [with_templates(m) for m in z_levels]
        return out


@MODELS.register_module()
class SBTClassifier(BaseModule):
    """The four-stage classification form of SBT used for ImageNet
    pre-training (PVTv2 layout): the stage-4 tokens after their norm,
    averaged, and a linear classifier.

    Args:
        arch: see :class:`SBT`.
        num_classes: classifier outputs (0: no classifier, returns the
            pooled features).
        backbone_cfg: further :class:`SBT` arguments.
    """

    def __init__(self, arch: Union[str, dict] = 'base',
                 num_classes: int = 1000,
                 pretrained: Optional[str] = None,
                 init_cfg: Optional[dict] = None,
                 **backbone_cfg):
        super().__init__(init_cfg=init_cfg)
        backbone_cfg.setdefault('strides', (4, 2, 2, 2))
        backbone_cfg.setdefault('ca_positions', ())
        self.backbone = SBT(arch=arch, num_stages=4, **backbone_cfg)
        dim = self.backbone.out_channels
        self.head = (nn.Linear(dim, num_classes) if num_classes > 0
                     else nn.Identity())
        self.head.apply(SBT._init_module)
        self.pretrained = pretrained

    def init_weights(self):
        super().init_weights()
        if self.pretrained:
            load_pretrained(self, self.pretrained, converter=pvt_v2_converter)

    def forward(self, img: Tensor) -> Tensor:
        """``(B, 3, H, W)`` -> ``(B, num_classes)`` logits."""
        feats = self.backbone.forward_features(img)[-1]
        return self.head(feats.mean(dim=(2, 3)))


def _pvt_v2_key(key: str) -> Optional[Tuple[str, int, int, str]]:
    """Parse a timm (``stages.1.blocks.0.attn.q.weight``) or original PVTv2
    (``block2.0.attn.q.weight``) key into ``(kind, stage, block, rest)``,
    0-based; ``None`` when it is neither."""
    parts = key.split('.')
    if parts[0] == 'patch_embed':  # timm stage-1 embedding
        return 'embed', 0, -1, '.'.join(parts[1:])
    if parts[0] == 'stages' and len(parts) > 3:
        s = int(parts[1])
        if parts[2] == 'downsample':
            return 'embed', s, -1, '.'.join(parts[3:])
        if parts[2] == 'blocks':
            return 'block', s, int(parts[3]), '.'.join(parts[4:])
        if parts[2] == 'norm':
            return 'norm', s, -1, '.'.join(parts[3:])
    for kind, name in (('embed', 'patch_embed'), ('block', 'block'),
                       ('norm', 'norm')):
        tail = parts[0][len(name):]
        if parts[0].startswith(name) and tail.isdigit():
            s = int(tail) - 1
            if kind == 'block':
                return kind, s, int(parts[1]), '.'.join(parts[2:])
            return kind, s, -1, '.'.join(parts[1:])
    return None


def pvt_v2_converter(state: Dict[str, Tensor], module: nn.Module
                     ) -> Tuple[Dict[str, Tensor], List[str]]:
    """Map a PVTv2 state dict (timm's ``pvt_v2_b*`` or the original PVT
    release) onto :class:`SBT` or :class:`SBTClassifier`.

    Stages past ``num_stages``, blocks past each stage's depth and (for
    :class:`SBT`) the classifier are reported as unused. Convolution weights
    do not depend on the stride, so the stage-3 patch embedding of a stride-2
    PVTv2 fills the stride-1 embedding of the tracking form. A state dict
    already in this module's names passes through.

    Returns:
        tuple: the converted state dict and the unused input keys.
    """
    classifier = isinstance(module, SBTClassifier)
    sbt = module.backbone if classifier else module
    if any(k.startswith(('patch_embeds.', 'backbone.patch_embeds.'))
           for k in state):  # already in this module's names
        return dict(state), []
    prefix = 'backbone.' if classifier else ''
    mapped, unused = {}, []
    for key, value in state.items():
        if key.startswith('head.'):
            if classifier:
                mapped[key] = value
            else:
                unused.append(key)
            continue
        parsed = _pvt_v2_key(key)
        if parsed is None:
            unused.append(key)
            continue
        kind, s, b, rest = parsed
        rest = rest.replace('dwconv.dwconv.', 'dwconv.')
        if s >= sbt.num_stages or (kind == 'block' and b >= sbt.depths[s]):
            unused.append(key)
            continue
        name = {'embed': f'patch_embeds.{s}', 'norm': f'norms.{s}',
                'block': f'stages.{s}.{b}'}[kind]
        mapped[f'{prefix}{name}.{rest}'] = value
    return mapped, unused
