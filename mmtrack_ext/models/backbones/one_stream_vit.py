"""One-stream ViT backbone (OSTrack-style joint template/search encoding)."""
import math
from functools import partial
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from timm.layers import trunc_normal_
from timm.models.vision_transformer import Block
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures.backbone_output import BackboneOutput
from ..layers import (TargetIndicatingToken, mimetic_init_,
                      sincos_grid_embedding, transformer_init_)
from .base_sot_backbone import BaseSOTBackbone
from ..utils.pretrained import load_pretrained
from .vit_converters import resample_grid, vit_converter

_Size = Union[int, Tuple[int, int]]


def _pair(size: _Size) -> Tuple[int, int]:
    return (size, size) if isinstance(size, int) else tuple(size)


class PatchEmbed(nn.Module):
    """Non-overlapping patch embedding: ``(B, 3, H, W) -> (B, N, C)``."""

    def __init__(self, patch_size: int, embed_dim: int, in_chans: int = 3):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Conv2d(
            in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x: Tensor) -> Tensor:
        return self.proj(x).flatten(2).transpose(1, 2)


class ConvStem(nn.Module):
    """Convolutional stem: ``(B, 3, H, W) -> (B, N, C)`` at stride ``patch``.

    ``log2(patch_size)`` Conv3x3 (stride 2) - BatchNorm - ReLU layers and a
    final 1x1 conv to ``embed_dim`` (Xiao et al., "Early Convolutions Help
    Transformers See Better", NeurIPS 2021): a drop-in replacement of the
    patch embedding, reported there to optimise more stably from scratch
    (on the tiny synthetic config it did not change AO at a 3-min budget).

    Args:
        patch_size: output stride, a power of 2.
        embed_dim: output channels.
        channels: channels of the stride-2 convs (default: doubling up to
            ``embed_dim``, e.g. ``(32, 64, 128)`` for patch 8 / dim 128).
    """

    def __init__(self, patch_size: int, embed_dim: int,
                 channels: Optional[Sequence[int]] = None, in_chans: int = 3):
        super().__init__()
        num = int(round(math.log2(patch_size)))
        if 2**num != patch_size:
            raise ValueError(
                f'a conv stem needs a power-of-2 patch_size, got {patch_size}')
        if channels is None:
            channels = [max(embed_dim // 2**(num - 1 - i), 8)
                        for i in range(num)]
        if len(channels) != num:
            raise ValueError(f'stem_channels needs {num} entries for '
                             f'patch_size={patch_size}, got {list(channels)}')
        layers, c_in = [], in_chans
        for c in channels:
            layers += [nn.Conv2d(c_in, c, 3, 2, 1, bias=False),
                       nn.BatchNorm2d(c), nn.ReLU(inplace=True)]
            c_in = c
        layers.append(nn.Conv2d(c_in, embed_dim, 1))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(x).flatten(2).transpose(1, 2)


@MODELS.register_module()
class OneStreamViT(BaseSOTBackbone):
    """Vision transformer encoding template and search tokens jointly.

    Template and search images are patch-embedded with one shared patch
    embedding, get their own positional embeddings (a learnable grid per
    image, initialised from a pretrained ViT's grid by bicubic interpolation),
    are concatenated ``[cls?, z_1..z_T, x]`` and run through timm ViT blocks
    with full attention; the search tokens after the final LayerNorm form the
    output map.

    A search crop of another size than ``search_size`` (a multiple of the
    patch size) is accepted: its positional grid is resampled bicubically
    from the learnt one, so a tracker can look at a wider area at the same
    pixel scale (re-detection) without retraining.

    Args:
        template_size: template crop size in pixels (int or ``(h, w)``).
        search_size: search crop size in pixels.
        patch_size: patch size in pixels (16 for ViT-B/16).
        embed_dim, depth, num_heads, mlp_ratio, qkv_bias: ViT dimensions.
        drop_path_rate: stochastic depth rate of the last block.
        use_cls_token: prepend a learnable cls token (with its own positional
            embedding). Its output is ``BackboneOutput.cls_token`` (for score
            heads).
        pos_embed: ``'learned'`` (OSTrack: trained tables, initialised from
            the checkpoint's resampled grid) or ``'sincos'`` (MAT: MAE's fixed
            2-D sine-cosine tables of the template and search grids, zero for
            the cls token; buffers, never trained, not taken from
            checkpoints of another format).
        template_patch_embed: give the template its own patch embedding
            (``patch_embed_template``; MAT's code). A MAE/timm checkpoint
            has none: it starts from random init (as in MAT's pre-training).
        pretrained: local path of a MAE, timm or MMEngine checkpoint
            (``None`` for random init).
        pretrained_format: ``'auto'``, ``'mae'``, ``'timm'`` or
            ``'mmengine'`` (this backbone's own key names, e.g. from a
            tracker or pretext-model checkpoint); see
            :func:`~.vit_converters.vit_converter`.
        pretrained_prefix: keep only the checkpoint keys under this prefix
            (``'backbone.'`` for an MMEngine checkpoint of a tracker or of a
            pretext model; ``'auto'`` finds it); a load that fills fewer
            than half of the keys raises (see
            :func:`~mmtrack_ext.models.utils.load_pretrained`).
        stem: ``'patch'`` (linear patch embedding, ViT/OSTrack; the one
            pretrained checkpoints fill) or ``'conv'`` (:class:`ConvStem`,
            randomly initialised).
        stem_channels: channels of the conv stem (``stem='conv'``).
        attn_impl: ``'fused'`` (``F.scaled_dot_product_attention``),
            ``'math'`` (explicit ``softmax(q k^T) v``) or ``'auto'``: fused,
            except for training on CPU, where the fused kernel's backward
            pass is the slower one (measured ~15 % per training step of the
            tiny config in bf16 on a 2-core CPU). Both give the same result
            up to rounding.
        attn_init: ``'trunc_normal'`` or ``'mimetic'`` (see
            :func:`~mmtrack_ext.models.layers.mimetic_init_`).
        mask_padding: accept the extras ``template_padding_mask`` and
            ``search_padding_mask`` and exclude tokens whose patch is mostly
            padding from the attention keys (STARK masks its padding this
            way; OSTrack does not). Off: the masks are not accepted.
        target_token: arguments of
            :class:`~mmtrack_ext.models.layers.TargetIndicatingToken` (JN's
            target-indicating token, ``embed_dim`` filled in), e.g.
            ``dict(mode='token', box_format='cxcywh')``; the backbone then
            needs the extra ``template_boxes``. Its tokens follow the cls
            token, before the template tokens, without positional embedding,
            and are dropped after the encoder (``'mask'`` mode adds to the
            template tokens instead).

    Extras: ``accepted_extras`` lists the padding masks when
    ``mask_padding`` is on and ``template_boxes`` with a ``target_token``;
    subclasses may add their own and call
    ``super().encode_template(template, **extras)``.
    """
    accepted_extras = ('template_padding_mask', 'search_padding_mask')
    _MASK_EXTRAS = ('template_padding_mask', 'search_padding_mask')

    def __init__(self,
                 template_size: _Size = 128,
                 search_size: _Size = 256,
                 patch_size: int = 16,
                 embed_dim: int = 768,
                 depth: int = 12,
                 num_heads: int = 12,
                 mlp_ratio: float = 4.,
                 qkv_bias: bool = True,
                 drop_path_rate: float = 0.,
                 use_cls_token: bool = False,
                 pos_embed: str = 'learned',
                 template_patch_embed: bool = False,
                 pretrained: Optional[str] = None,
                 pretrained_format: str = 'auto',
                 pretrained_prefix: Optional[str] = None,
                 stem: str = 'patch',
                 stem_channels: Optional[Sequence[int]] = None,
                 attn_impl: str = 'auto',
                 attn_init: str = 'trunc_normal',
                 mask_padding: bool = False,
                 target_token: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if attn_impl not in ('auto', 'fused', 'math'):
            raise ValueError(f"attn_impl must be 'auto', 'fused' or 'math', "
                             f'got {attn_impl!r}')
        self.attn_impl = attn_impl
        if attn_init not in ('trunc_normal', 'mimetic'):
            raise ValueError(f"attn_init must be 'trunc_normal' or "
                             f"'mimetic', got {attn_init!r}")
        self.attn_init = attn_init
        self.mask_padding = bool(mask_padding)
        # narrow or widen the class's list (a subclass may add its own)
        extras = [e for e in type(self).accepted_extras
                  if self.mask_padding or e not in self._MASK_EXTRAS]
        if target_token is not None and 'template_boxes' not in extras:
            extras.append('template_boxes')
        self.accepted_extras = tuple(extras)
        self.template_size = _pair(template_size)
        self.search_size = _pair(search_size)
        for name, size in (('template_size', self.template_size),
                           ('search_size', self.search_size)):
            if size[0] % patch_size or size[1] % patch_size:
                raise ValueError(f'{name}={size} is not a multiple of '
                                 f'patch_size={patch_size}')
        self.patch_size = patch_size
        self.embed_dim = embed_dim
        self.out_channels = embed_dim
        self.out_stride = patch_size
        self.template_grid = (self.template_size[0] // patch_size,
                              self.template_size[1] // patch_size)
        self.search_grid = (self.search_size[0] // patch_size,
                            self.search_size[1] // patch_size)
        self.pretrained = pretrained
        self.pretrained_format = pretrained_format
        self.pretrained_prefix = pretrained_prefix

        if stem == 'patch':
            self.patch_embed = PatchEmbed(patch_size, embed_dim)
        elif stem == 'conv':
            self.patch_embed = ConvStem(patch_size, embed_dim, stem_channels)
        else:
            raise ValueError(f"stem must be 'patch' or 'conv', got {stem!r}")
        self.stem = stem
        self.patch_embed_template = None
        if template_patch_embed:
            if stem != 'patch':
                raise ValueError('template_patch_embed needs '
                                 f"stem='patch', got {stem!r}")
            self.patch_embed_template = PatchEmbed(patch_size, embed_dim)
        if pos_embed not in ('learned', 'sincos'):
            raise ValueError(f"pos_embed must be 'learned' or 'sincos', got "
                             f'{pos_embed!r}')
        self.pos_embed_type = pos_embed
        self.use_cls_token = use_cls_token
        if pos_embed == 'learned':
            self.pos_embed_template = nn.Parameter(
                torch.zeros(1, math.prod(self.template_grid), embed_dim))
            self.pos_embed_search = nn.Parameter(
                torch.zeros(1, math.prod(self.search_grid), embed_dim))
        else:
            self.register_buffer('pos_embed_template', sincos_grid_embedding(
                *self.template_grid, embed_dim)[None])
            self.register_buffer('pos_embed_search', sincos_grid_embedding(
                *self.search_grid, embed_dim)[None])
        if use_cls_token:
            self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
            if pos_embed == 'learned':
                self.pos_embed_cls = nn.Parameter(torch.zeros(1, 1, embed_dim))
            else:
                self.register_buffer('pos_embed_cls',
                                     torch.zeros(1, 1, embed_dim))
        dpr = torch.linspace(0, drop_path_rate, depth).tolist()
        norm_layer = partial(nn.LayerNorm, eps=1e-6)
        self.blocks = nn.ModuleList([
            Block(embed_dim, num_heads, mlp_ratio=mlp_ratio,
                  qkv_bias=qkv_bias, drop_path=dpr[i], norm_layer=norm_layer)
            for i in range(depth)
        ])
        self.norm = norm_layer(embed_dim)
        self.target_token = None
        if target_token is not None:
            self.target_token = TargetIndicatingToken(
                embed_dim=embed_dim, **target_token)
        self._init_random()

    def _init_random(self):
        if self.pos_embed_type == 'learned':
            trunc_normal_(self.pos_embed_template, std=.02)
            trunc_normal_(self.pos_embed_search, std=.02)
        if self.use_cls_token:
            trunc_normal_(self.cls_token, std=.02)
            if self.pos_embed_type == 'learned':
                trunc_normal_(self.pos_embed_cls, std=.02)
        if self.patch_embed_template is not None:
            # MAT's template embedding: xavier on the flattened projection
            w = self.patch_embed_template.proj.weight
            nn.init.xavier_uniform_(w.view(w.shape[0], -1))
            nn.init.zeros_(self.patch_embed_template.proj.bias)

        self.blocks.apply(transformer_init_)
        if self.attn_init == 'mimetic':
            for blk in self.blocks:
                mimetic_init_(blk.attn)

    def init_weights(self):
        super().init_weights()
        if self.pretrained:
            load_pretrained(self, self.pretrained,
                            prefix=self.pretrained_prefix,
                            converter=vit_converter(self.pretrained_format))

    def _select_attention(self, x: Tensor):
        fused = (self.attn_impl == 'fused' or
                 (self.attn_impl == 'auto' and
                  not (self.training and x.device.type == 'cpu')))
        for blk in self.blocks:
            blk.attn.fused_attn = fused

    def embed(self, img: Tensor, pos_embed: Tensor,
              template: bool = False) -> Tensor:
        """Patch-embed ``(B, 3, H, W)`` (with the template's own embedding
        when ``template`` and there is one) and add the positional
        embedding."""
        proj = (self.patch_embed_template if template and
                self.patch_embed_template is not None else self.patch_embed)
        return proj(img) + pos_embed

    def token_padding(self, mask: Tensor) -> Tensor:
        """``(N, h, w)`` bool pixel padding -> ``(N, h / p * w / p)`` bool
        token padding (a patch counts as padding when more than half of its
        pixels are)."""
        frac = F.avg_pool2d(mask[:, None].float(), self.patch_size)
        return (frac[:, 0] > 0.5).flatten(1)

    def encode_template(self, template: Tensor,
                        template_padding_mask: Optional[Tensor] = None,
                        template_boxes: Optional[Tensor] = None,
                        **extras) -> Dict[str, Tensor]:
        """Patch-embed the template(s).

        Args:
            template: ``(B, T, 3, h, w)`` or ``(B, 3, h, w)`` normalised.
            template_padding_mask: ``(B, T, h, w)`` bool (``mask_padding``).
            template_boxes: ``(B, T, 4)`` xyxy normalised to each template
                crop (``target_token``).

        Returns:
            dict: ``tokens`` ``(B, T * Nz, C)`` (the whole template part of the
            joint sequence: with full attention nothing deeper can be cached),
            ``grid`` ``(T, hz, wz)``, with a mask ``key_padding``
            ``(B, T * Nz)`` bool and with a target token ``prefix``
            ``(B, K, C)`` (the target-indicating tokens).
        """
        self.check_extras(extras)
        if template.dim() == 4:
            template = template[:, None]
        b, t = template.shape[:2]
        hz = template.shape[-2] // self.patch_size
        wz = template.shape[-1] // self.patch_size
        tokens = self.embed(template.flatten(0, 1), self.pos_embed_template,
                            template=True)
        tokens = tokens.reshape(b, -1, self.embed_dim)
        memory = dict(grid=(t, hz, wz))
        if template_boxes is not None:
            self.check_extras(['template_boxes'])
        if self.target_token is not None:
            if template_boxes is None:
                raise ValueError(
                    'OneStreamViT(target_token=...) needs the extra '
                    'template_boxes (B, T, 4): the template target boxes, '
                    'xyxy normalised to the template crop')
            boxes = template_boxes.reshape(b, t, 4).to(tokens.dtype)
            if self.target_token.num_tokens:
                memory['prefix'] = self.target_token.tokens(boxes).to(
                    tokens.dtype)
            else:
                tokens = tokens + self.target_token.template_embedding(
                    boxes, (hz, wz)).to(tokens.dtype)
        memory['tokens'] = tokens
        if template_padding_mask is not None:
            self.check_extras(['template_padding_mask'])
            memory['key_padding'] = self.token_padding(
                template_padding_mask.flatten(0, 1)).reshape(b, -1)
        return memory

    def encode_search(self, search: Tensor, memory: Dict[str, Tensor],
                      search_padding_mask: Optional[Tensor] = None,
                      **extras) -> BackboneOutput:
        """Jointly encode search and cached template tokens.

        Args:
            search: ``(B, 3, H, W)`` normalised search crop.
            memory: output of :meth:`encode_template`.
            search_padding_mask: ``(B, H, W)`` bool (``mask_padding``).

        Returns:
            BackboneOutput: ``search`` ``(B, C, H / patch, W / patch)``,
            ``template`` ``(B, T, C, hz, wz)`` (the template tokens after the
            encoder), ``cls_token`` ``(B, C)`` with ``use_cls_token``.
        """
        self.check_extras(extras)
        grid = (search.shape[-2] // self.patch_size,
                search.shape[-1] // self.patch_size)
        x = self.embed(search, self.search_pos_embed(grid))
        b = x.shape[0]
        z = memory['tokens']
        if z.shape[0] != b:
            z = z.expand(b, -1, -1)
        prefix = memory.get('prefix')
        parts = [z, x]
        if prefix is not None:
            parts.insert(0, prefix.expand(b, -1, -1)
                         if prefix.shape[0] != b else prefix)
        if self.use_cls_token:
            parts.insert(0, (self.cls_token + self.pos_embed_cls).expand(
                b, -1, -1))
        tokens = torch.cat(parts, dim=1)
        attn_mask = self._attention_mask(memory, search_padding_mask, b,
                                         x.shape[1])
        self._select_attention(tokens)
        for blk in self.blocks:
            tokens = blk(tokens, attn_mask=attn_mask)
        tokens = self.norm(tokens)
        # [cls?, target tokens?, z, x]: the extra tokens are dropped
        n_cls = int(self.use_cls_token)
        n_pre = n_cls + (prefix.shape[1] if prefix is not None else 0)
        t, hz, wz = memory['grid']
        z_out = tokens[:, n_pre:n_pre + z.shape[1]]
        x_out = tokens[:, -x.shape[1]:]
        return BackboneOutput(
            search=x_out.transpose(1, 2).reshape(b, self.embed_dim, *grid),
            template=z_out.reshape(b, t, hz, wz, self.embed_dim).permute(
                0, 1, 4, 2, 3),
            cls_token=tokens[:, 0] if self.use_cls_token else None)

    def _attention_mask(self, memory: Dict[str, Tensor],
                        search_padding_mask: Optional[Tensor], b: int,
                        n_search: int) -> Optional[Tensor]:
        """``(B, 1, 1, N)`` bool (True: a key to attend to) or ``None``."""
        z_pad = memory.get('key_padding')
        if z_pad is None and search_padding_mask is None:
            return None
        if search_padding_mask is not None:
            self.check_extras(['search_padding_mask'])
            x_pad = self.token_padding(search_padding_mask)
        else:
            x_pad = torch.zeros(b, n_search, dtype=torch.bool,
                                device=memory['tokens'].device)
        if z_pad is None:
            z_pad = torch.zeros(b, memory['tokens'].shape[1],
                                dtype=torch.bool, device=x_pad.device)
        elif z_pad.shape[0] != b:
            z_pad = z_pad.expand(b, -1)
        pads = [z_pad, x_pad]
        n_extra = int(self.use_cls_token) + (
            memory['prefix'].shape[1] if 'prefix' in memory else 0)
        if n_extra:
            pads.insert(0, torch.zeros(b, n_extra, dtype=torch.bool,
                                       device=x_pad.device))
        return ~torch.cat(pads, dim=1)[:, None, None]

    def encode_masked(self, template: Tensor, search: Tensor,
                      template_keep: Optional[Tensor] = None,
                      search_keep: Optional[Tensor] = None
                      ) -> Tuple[Optional[Tensor], Tensor, Tensor]:
        """Jointly encode the visible patches of one template and one search
        image (masked pre-training, MAT): the sequence is ``[cls?,
        z_visible, x_visible]``.

        Args:
            template: ``(B, 3, h, w)`` normalised template crops.
            search: ``(B, 3, H, W)`` normalised search crops.
            template_keep, search_keep: ``(B, K)`` long indices (row-major
                in the patch grid) of the visible patches of each image,
                the same ``K`` for every sample; ``None``: every patch.

        Returns:
            tuple: ``cls`` ``(B, C)`` (``None`` without a cls token), the
            encoded visible template tokens ``(B, K_z, C)`` and search
            tokens ``(B, K_x, C)``, in the order of the keep indices, after
            the final norm.
        """
        if self.target_token is not None:
            raise ValueError('encode_masked does not take target tokens')
        grid = (search.shape[-2] // self.patch_size,
                search.shape[-1] // self.patch_size)
        z = self.embed(template, self.pos_embed_template, template=True)
        x = self.embed(search, self.search_pos_embed(grid))

        def keep(tokens, idx):
            if idx is None:
                return tokens
            return torch.gather(
                tokens, 1, idx[..., None].expand(-1, -1, tokens.shape[-1]))

        z, x = keep(z, template_keep), keep(x, search_keep)
        parts = [z, x]
        if self.use_cls_token:
            parts.insert(0, (self.cls_token + self.pos_embed_cls).expand(
                z.shape[0], -1, -1))
        tokens = torch.cat(parts, dim=1)
        self._select_attention(tokens)
        for blk in self.blocks:
            tokens = blk(tokens)
        tokens = self.norm(tokens)
        n_cls = int(self.use_cls_token)
        cls = tokens[:, 0] if n_cls else None
        return (cls, tokens[:, n_cls:n_cls + z.shape[1]],
                tokens[:, n_cls + z.shape[1]:])

    def search_pos_embed(self, grid: Tuple[int, int]) -> Tensor:
        """``(1, h * w, C)`` positional embedding of a search grid of
        ``grid`` = ``(h, w)`` tokens: the backbone's table, or (another grid)
        the learnt table resampled bicubically, or the sine-cosine table of
        that grid."""
        if tuple(grid) == tuple(self.search_grid):
            return self.pos_embed_search
        if self.pos_embed_type == 'sincos':
            return sincos_grid_embedding(
                *grid, self.embed_dim,
                device=self.pos_embed_search.device)[None].to(
                    self.pos_embed_search.dtype)
        if self.training:  # parameters change between calls: no cache
            return resample_grid(self.pos_embed_search, self.search_grid,
                                 grid)
        cache = self.__dict__.setdefault('_pos_cache', {})
        version = self.pos_embed_search._version
        key = (tuple(grid), version, self.pos_embed_search.device,
               self.pos_embed_search.dtype)
        if key not in cache:
            cache.clear()
            with torch.no_grad():
                cache[key] = resample_grid(self.pos_embed_search,
                                           self.search_grid, grid)
        return cache[key]
