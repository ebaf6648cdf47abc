"""TransInMo's backbone: a two-stream Swin Transformer (timm blocks) whose
last block of each stage also attends from the search image to the
template (target-aware cross-attention, InBN), with the four stage outputs
fused to one stride-8 map."""
import re
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from timm.models.swin_transformer import (SwinTransformer, SwinTransformerBlock,
                                          window_partition, window_reverse)
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures.backbone_output import BackboneOutput
from ..layers import mimetic_init_
from ..utils.pretrained import load_pretrained
from .base_sot_backbone import BaseSOTBackbone

__all__ = ['InMoSwin', 'swin_converter', 'SWIN_ARCHS']

#: ``embed_dim``, ``depths``, ``num_heads`` of the Swin variants
SWIN_ARCHS = {
    'tiny': dict(embed_dim=96, depths=(2, 2, 6, 2), num_heads=(3, 6, 12, 24)),
    'small': dict(embed_dim=96, depths=(2, 2, 18, 2),
                  num_heads=(3, 6, 12, 24)),
    'base': dict(embed_dim=128, depths=(2, 2, 18, 2),
                 num_heads=(4, 8, 16, 32)),
}


def swin_converter(state: Dict[str, Tensor], backbone: 'InMoSwin'
                   ) -> Tuple[Dict[str, Tensor], List[str]]:
    """Map a timm ``swin_*`` state dict, or an original (Microsoft) Swin
    checkpoint, onto :class:`InMoSwin`'s ``patch_embed.*`` / ``layers.*``.

    The original layout downsamples at the end of a stage
    (``layers.{i}.downsample``), timm's at the start of the next one
    (``layers.{i+1}.downsample``); the non-persistent buffers
    (``relative_position_index``, ``attn_mask``) are dropped. The final
    ``norm`` and the classifier ``head`` are reported as unused. A state
    dict already in the backbone's names (``stem``-less MMEngine checkpoint
    under ``pretrained_prefix``) passes through.
    """
    original = 'layers.0.downsample.reduction.weight' in state
    mapped, unused = {}, []
    own = set(backbone.state_dict())
    for key, value in state.items():
        if key.endswith(('relative_position_index', 'attn_mask')):
            continue
        if original:
            key = re.sub(r'^layers\.(\d+)\.downsample',
                         lambda m: f'layers.{int(m.group(1)) + 1}.downsample',
                         key)
        if key.startswith(('patch_embed.', 'layers.')) or key in own:
            mapped[key] = value
        else:
            unused.append(key)
    return mapped, unused


def _attention(q: Tensor, k: Tensor, v: Tensor,
               scale: Optional[float] = None) -> Tensor:
    return F.scaled_dot_product_attention(q, k, v, scale=scale)


@MODELS.register_module()
class InMoSwin(BaseSOTBackbone):
    """Two-stream Swin backbone with target-aware cross-attention (TCA)
    in the last block of chosen stages, and multi-stage fusion (TransInMo).

    Template and search go through the same Swin blocks (timm's, so timm and
    original ImageNet checkpoints load through :func:`swin_converter`). The
    template is encoded once per video; its stage outputs and, for each
    block with TCA, the keys and values that block computes from it are the
    memory. In the search pass such a block first adds, to its normalised
    input, attention from the search image to those template keys and values
    through the block's own ``qkv`` and ``proj`` (no new parameters, as in
    the reference code); then its usual self-attention (CSA) runs.

    ``window_process`` (the paper's WP): ``True``: CSA is Swin's (shifted)
    window attention and TCA relates whole windows: every ``win x win``
    window of queries (per head, its tokens' features flattened into one
    vector) attends to the template's windows (the reference code's
    ``CROSS_WINDOW_SIZE=-1``; scaled by ``1 / sqrt(win^2 * head_dim)``, the
    length of those vectors, where the code uses ``1 / sqrt(head_dim)``).
    ``False`` (Table 4 without WP): CSA attends globally over every token of
    the map (the same ``qkv``/``proj`` weights; the relative position tables
    are unused and frozen) and TCA relates single tokens.

    Fusion (Sec. 3.2): each stage output -> LayerNorm -> 1x1 conv to
    ``fuse_channels`` -> bicubic resize to the stride-8 grid -> concatenate
    -> 1x1 conv to ``fuse_channels``; for template and search alike.

    Args:
        arch: a :data:`SWIN_ARCHS` key (TransInMo: ``'tiny'``) or a dict of
            ``embed_dim``, ``depths``, ``num_heads``.
        window_size: Swin window side (7).
        tca_stages: 1-based stages whose last block has TCA (TransInMo:
            all four; ``()``: the plain two-stream Swin).
        tca_blocks: ``'last'`` (TransInMo: the last block of each of
            ``tca_stages``) or ``'all'`` (every block of those stages).
        window_process: see above.
        fuse_channels: channels of the fused output.
        drop_path_rate: stochastic depth (TransInMo: 0.2).
        attn_init: ``'trunc_normal'`` (timm's Swin) or ``'mimetic'`` (for
            training from scratch: ``q . k`` starts as a token similarity,
            so TCA and the window attention match look-alike tokens from
            the first step; see
            :func:`~mmtrack_ext.models.layers.mimetic_init_`).
        template_size, search_size: crop sizes (the search size fixes the
            resolution the blocks are built for).
        pretrained: local path of a timm or original Swin checkpoint (or an
            MMEngine checkpoint with ``pretrained_prefix``).
        pretrained_prefix: see
            :func:`~mmtrack_ext.models.utils.load_pretrained`.
    """

    def __init__(self,
                 arch='tiny',
                 window_size: int = 7,
                 tca_stages: Sequence[int] = (1, 2, 3, 4),
                 tca_blocks: str = 'last',
                 window_process: bool = True,
                 fuse_channels: int = 256,
                 drop_path_rate: float = 0.2,
                 attn_init: str = 'trunc_normal',
                 template_size: int = 128,
                 search_size: int = 256,
                 pretrained: Optional[str] = None,
                 pretrained_prefix: Optional[str] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        arch = SWIN_ARCHS[arch] if isinstance(arch, str) else dict(arch)
        if attn_init not in ('trunc_normal', 'mimetic'):
            raise ValueError(f"attn_init must be 'trunc_normal' or "
                             f"'mimetic', got {attn_init!r}")
        depths = tuple(arch['depths'])
        self.tca_stages = tuple(int(s) for s in tca_stages)
        if tca_blocks not in ('last', 'all'):
            raise ValueError(f"tca_blocks must be 'last' or 'all', got "
                             f'{tca_blocks!r}')
        self.tca_blocks = tca_blocks
        if any(not 1 <= s <= len(depths) for s in self.tca_stages):
            raise ValueError(f'tca_stages {self.tca_stages} must be stages '
                             f'1..{len(depths)}')
        for size in (template_size, search_size):
            if size % 32:
                raise ValueError(f'crop sizes must be multiples of 32 (the '
                                 f'Swin stride), got {size}')
        swin = SwinTransformer(
            img_size=search_size, patch_size=4, num_classes=0,
            embed_dim=arch['embed_dim'], depths=depths,
            num_heads=tuple(arch['num_heads']), window_size=window_size,
            drop_path_rate=drop_path_rate, strict_img_size=False)
        # the classifier's final norm and head are not used
        self.patch_embed = swin.patch_embed
        self.layers = swin.layers
        if attn_init == 'mimetic':
            for stage in self.layers:
                for block in stage.blocks:
                    mimetic_init_(block.attn)
        dims = [int(arch['embed_dim'] * 2**i) for i in range(len(depths))]
        self.stage_channels = dims
        self.window_process = bool(window_process)
        if not self.window_process:
            # global attention has no window-relative positions: the tables
            # stay (checkpoints load) but take no gradient (DDP would
            # otherwise wait for them)
            for name, p in self.layers.named_parameters():
                if name.endswith('relative_position_bias_table'):
                    p.requires_grad_(False)
        self.stage_norms = nn.ModuleList([nn.LayerNorm(d) for d in dims])
        self.lateral = nn.ModuleList(
            [nn.Conv2d(d, fuse_channels, 1) for d in dims])
        self.fuse = nn.Conv2d(fuse_channels * len(dims), fuse_channels, 1)
        self.out_channels = fuse_channels
        self.out_stride = 8
        self.template_size = template_size
        self.search_size = search_size
        self.pretrained = pretrained
        self.pretrained_prefix = pretrained_prefix

    def init_weights(self):
        super().init_weights()
        if self.pretrained:
            load_pretrained(self, self.pretrained,
                            prefix=self.pretrained_prefix,
                            converter=swin_converter)

    # ------------------------------------------------------------ blocks
    def _has_tca(self, stage: int, index: int) -> bool:
        depth = len(self.layers[stage].blocks)
        return stage + 1 in self.tca_stages and (
            self.tca_blocks == 'all' or index == depth - 1)

    def _window_attn(self, block: SwinTransformerBlock, x: Tensor,
                     want_kv: bool, kv: Optional[Tuple[Tensor, Tensor]]):
        """Swin's (shifted) window attention of normalised ``(B, H, W, C)``
        tokens, with window-level TCA before it; returns the output and,
        with ``want_kv``, this input's window keys and values."""
        attn = block.attn
        b, h, w, c = x.shape
        ws, shift = block.window_size, block.shift_size
        if any(shift):
            x = torch.roll(x, shifts=(-shift[0], -shift[1]), dims=(1, 2))
        x = F.pad(x, (0, 0, 0, -w % ws[1], 0, -h % ws[0]))
        hp, wp = x.shape[1:3]
        n = ws[0] * ws[1]
        windows = window_partition(x, ws).reshape(b, -1, n, c)
        out_kv = None
        if want_kv or kv is not None:
            heads = attn.num_heads
            # (3, B, heads, windows, n * head_dim): a window is one vector
            qkv = attn.qkv(windows).reshape(b, -1, n, 3, heads, c // heads)
            qkv = qkv.permute(3, 0, 4, 1, 2, 5).flatten(-2)
            if want_kv:
                out_kv = (qkv[1], qkv[2])
            if kv is not None:
                cross = _attention(qkv[0], kv[0], kv[1],
                                   scale=qkv.shape[-1]**-0.5)
                cross = cross.reshape(b, heads, -1, n, c // heads)
                cross = cross.permute(0, 2, 3, 1, 4).reshape(b, -1, n, c)
                windows = windows + attn.proj(cross)
        mask = block.get_attn_mask(x) if any(shift) else None
        out = attn(windows.reshape(-1, n, c), mask=mask)
        out = window_reverse(out.reshape(-1, ws[0], ws[1], c), ws, hp, wp)
        out = out[:, :h, :w]
        if any(shift):
            out = torch.roll(out, shifts=shift, dims=(1, 2))
        return out, out_kv

    def _global_attn(self, block: SwinTransformerBlock, x: Tensor,
                     want_kv: bool, kv: Optional[Tuple[Tensor, Tensor]]):
        """Attention over every token (WP off), token-level TCA first."""
        attn = block.attn
        b, h, w, c = x.shape
        heads = attn.num_heads
        tokens = x.reshape(b, h * w, c)

        def qkv_of(t):
            return attn.qkv(t).reshape(b, -1, 3, heads, c // heads).permute(
                2, 0, 3, 1, 4)

        qkv = qkv_of(tokens)
        out_kv = (qkv[1], qkv[2]) if want_kv else None
        if kv is not None:
            cross = _attention(qkv[0], kv[0], kv[1])
            tokens = tokens + attn.proj(
                cross.transpose(1, 2).reshape(b, -1, c))
            qkv = qkv_of(tokens)
        out = _attention(qkv[0], qkv[1], qkv[2])
        out = attn.proj(out.transpose(1, 2).reshape(b, -1, c))
        return attn.proj_drop(out).reshape(b, h, w, c), out_kv

    def _block(self, block: SwinTransformerBlock, x: Tensor,
               want_kv: bool = False,
               kv: Optional[Tuple[Tensor, Tensor]] = None):
        """One Swin block on ``(B, H, W, C)``; returns it and the block's
        keys/values of this input when ``want_kv``."""
        b, h, w, c = x.shape
        fn = self._window_attn if self.window_process else self._global_attn
        out, out_kv = fn(block, block.norm1(x), want_kv, kv)
        x = x + block.drop_path1(out)
        x = x.reshape(b, -1, c)
        x = x + block.drop_path2(block.mlp(block.norm2(x)))
        return x.reshape(b, h, w, c), out_kv

    def _stages(self, img: Tensor, memory_kv: Optional[Dict] = None,
                want_kv: bool = False):
        """Every stage output ``(B, H_i, W_i, C_i)`` and, with
        ``want_kv``, the keys/values of the TCA blocks."""
        x = self.patch_embed(img)
        outs, kvs = [], {}
        for s, stage in enumerate(self.layers):
            x = stage.downsample(x)
            for i, block in enumerate(stage.blocks):
                tca = self._has_tca(s, i)
                x, kv = self._block(
                    block, x, want_kv=want_kv and tca,
                    kv=memory_kv[s, i] if tca and memory_kv is not None
                    else None)
                if kv is not None:
                    kvs[s, i] = kv
            outs.append(x)
        return outs, kvs

    def _fused(self, outs: List[Tensor]) -> Tensor:
        """``(B, fuse_channels, H / 8, W / 8)`` from the stage outputs."""
        size = outs[1].shape[1:3]
        maps = []
        for x, norm, lateral in zip(outs, self.stage_norms, self.lateral):
            x = lateral(norm(x).permute(0, 3, 1, 2))
            if x.shape[-2:] != size:
                x = F.interpolate(x, size=size, mode='bicubic',
                                  align_corners=False)
            maps.append(x)
        return self.fuse(torch.cat(maps, dim=1))

    # ------------------------------------------------------------ contract
    def encode_template(self, template: Tensor, **extras) -> Dict:
        """Returns ``feats`` ``(B, T, C, h / 8, w / 8)``, ``kv``: per TCA
        block ``(stage, block)`` the keys and values ``(B, heads, T * L, D)``
        of that block
        (``L`` windows of ``D = win^2 * head_dim`` features, or tokens
        without WP), and ``num_templates``."""
        self.check_extras(extras)
        if template.dim() == 4:
            template = template[:, None]
        b, t = template.shape[:2]
        outs, kvs = self._stages(template.flatten(0, 1), want_kv=True)
        feats = self._fused(outs)

        def join(x):  # (B * T, heads, L, D) -> (B, heads, T * L, D)
            x = x.reshape(b, t, *x.shape[1:]).transpose(1, 2)
            return x.flatten(2, 3)

        kv = {s: (join(k), join(v)) for s, (k, v) in kvs.items()}
        return dict(feats=feats.reshape(b, t, *feats.shape[1:]), kv=kv,
                    num_templates=t)

    def encode_search(self, search: Tensor, memory: Dict,
                      **extras) -> BackboneOutput:
        self.check_extras(extras)
        b = search.shape[0]
        kv = memory['kv']
        if kv and next(iter(kv.values()))[0].shape[0] != b:
            kv = {s: tuple(x.expand(b, *x.shape[1:]) for x in pair)
                  for s, pair in kv.items()}
        outs, _ = self._stages(search, memory_kv=kv)
        template = memory['feats']
        if template.shape[0] != b:
            template = template.expand(b, *template.shape[1:])
        return BackboneOutput(search=self._fused(outs), template=template)
