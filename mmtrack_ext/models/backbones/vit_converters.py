"""Load MAE and timm ViT checkpoints into :class:`OneStreamViT`.

Both formats name the patch embedding, blocks and final norm like timm
(``patch_embed.proj``, ``blocks.{i}.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,
mlp.fc2}``, ``norm``); the differences are the wrapper (``{'model': ...}`` for
MAE) and the extra keys (MAE decoder and mask token, timm classifier head),
which a tracking backbone does not use (the MAE decoder is available to
decoders through :func:`mae_decoder_state_dict`). The pretrained positional grid
(with its cls entry) is resampled bicubically to the template and search
grids.
"""
import math
from typing import Dict, List, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

# keys of pretrained checkpoints that a tracking backbone does not use
_UNUSED_PREFIXES = ('decoder_', 'mask_token', 'head.', 'fc_norm.',
                    'head_drop', 'pre_logits')


def detect_format(checkpoint: dict) -> str:
    """``'mae'`` for ``{'model': state_dict}`` files, else ``'timm'``."""
    if 'model' in checkpoint and isinstance(checkpoint['model'], dict):
        return 'mae'
    return 'timm'


def unwrap_state_dict(checkpoint: dict, fmt: str) -> Dict[str, Tensor]:
    if fmt == 'mae':
        if 'model' not in checkpoint:
            raise KeyError("MAE checkpoint has no 'model' entry")
        return checkpoint['model']
    if fmt == 'timm':
        for key in ('state_dict', 'model'):
            if key in checkpoint and isinstance(checkpoint[key], dict):
                return checkpoint[key]
        return checkpoint
    raise ValueError(f"unknown pretrained format {fmt!r} "
                     "(expected 'mae', 'timm' or 'auto')")


def resample_grid(pos: Tensor, old_grid: Tuple[int, int],
                  new_grid: Tuple[int, int]) -> Tensor:
    """Bicubically resample a ``(1, Ho*Wo, C)`` positional grid."""
    if tuple(old_grid) == tuple(new_grid):
        return pos.clone()
    c = pos.shape[-1]
    grid = pos.reshape(1, old_grid[0], old_grid[1], c).permute(0, 3, 1, 2)
    grid = F.interpolate(
        grid.float(), size=new_grid, mode='bicubic', align_corners=False)
    return grid.permute(0, 2, 3, 1).reshape(1, -1, c).to(pos.dtype)


def convert_vit_state_dict(state: Dict[str, Tensor], backbone,
                           fmt: str = 'timm'
                           ) -> Tuple[Dict[str, Tensor], List[str]]:
    """Map a MAE/timm ViT state dict onto ``backbone``'s parameter names.

    Args:
        state: the checkpoint's (unwrapped) state dict.
        backbone: the target :class:`OneStreamViT` (for grids and options).
        fmt: ``'mae'`` or ``'timm'`` (only used in error messages).

    Returns:
        tuple: the converted state dict and the checkpoint keys left unused
        (decoder, classifier head...).
    """
    out: Dict[str, Tensor] = {}
    unused: List[str] = []
    # a conv stem has no counterpart in a ViT checkpoint
    own_prefixes = ('patch_embed.', 'blocks.', 'norm.') if getattr(
        backbone, 'stem', 'patch') == 'patch' else ('blocks.', 'norm.')
    for key, value in state.items():
        if key.startswith(own_prefixes):
            out[key] = value
        elif key in ('pos_embed', 'cls_token'):
            continue
        else:
            unused.append(key)
    # patch size: resample the patch projection when it differs
    proj = out.get('patch_embed.proj.weight')
    if proj is not None and proj.shape[-1] != backbone.patch_size:
        out['patch_embed.proj.weight'] = F.interpolate(
            proj.float(), size=(backbone.patch_size, backbone.patch_size),
            mode='bicubic', align_corners=False).to(proj.dtype) * (
                proj.shape[-1]**2 / backbone.patch_size**2)
    if 'pos_embed' in state:
        pos = state['pos_embed']
        n = pos.shape[1]
        side = int(math.isqrt(n))
        num_prefix = n - side * side
        if num_prefix not in (0, 1):
            raise ValueError(f'{fmt} pos_embed of {n} tokens is not a square '
                             'grid with at most one cls entry')
        grid_pos = pos[:, num_prefix:]
        out['pos_embed_template'] = resample_grid(grid_pos, (side, side),
                                                  backbone.template_grid)
        out['pos_embed_search'] = resample_grid(grid_pos, (side, side),
                                                backbone.search_grid)
        if backbone.use_cls_token:
            if num_prefix:
                out['pos_embed_cls'] = pos[:, :1].clone()
            if 'cls_token' in state:
                out['cls_token'] = state['cls_token']
    if not backbone.use_cls_token and 'cls_token' in state:
        unused.append('cls_token')
    unused = [k for k in unused if not k.startswith(_UNUSED_PREFIXES)] + [
        k for k in unused if k.startswith(_UNUSED_PREFIXES)
    ]
    return out, unused


def load_vit_pretrained(path: str, backbone, fmt: str = 'auto'
                        ) -> Dict[str, Tensor]:
    """Read a local MAE/timm checkpoint and convert it for ``backbone``.

    The file is loaded with ``weights_only=True``: pretrained weights are plain
    tensors and need no code execution.
    """
    checkpoint = torch.load(path, map_location='cpu', weights_only=True)
    if fmt == 'auto':
        fmt = detect_format(checkpoint)
    state = unwrap_state_dict(checkpoint, fmt)
    converted, _ = convert_vit_state_dict(state, backbone, fmt)
    own = backbone.state_dict()
    for key, value in converted.items():
        if key in own and own[key].shape != value.shape:
            raise ValueError(
                f'{path}: {key} has shape {tuple(value.shape)} in the '
                f'checkpoint but {tuple(own[key].shape)} in the backbone '
                '(embed_dim/depth/mlp_ratio must match the checkpoint)')
    return converted


_MAE_DECODER_KEYS = ('decoder_', 'mask_token')


def mae_decoder_state_dict(state: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """The decoder part of an official MAE state dict, ``decoder_`` removed.

    ``decoder_embed.*`` -> ``embed.*``, ``decoder_blocks.{i}.*`` ->
    ``blocks.{i}.*`` (timm block names), ``decoder_norm.*`` -> ``norm.*``,
    ``decoder_pred.*`` -> ``pred.*``, ``decoder_pos_embed`` -> ``pos_embed``
    (``(1, 1 + N, C_dec)`` with its cls entry) and ``mask_token`` (kept), so
    a decoder module (MAT/MMG) loads it with matching names. The encoder
    converter lists these keys as unused; they are not dropped.

    Args:
        state: the unwrapped MAE state dict (``checkpoint['model']``).
    """
    out = {}
    for key, value in state.items():
        if key == 'mask_token':
            out[key] = value
        elif key.startswith('decoder_'):
            out[key[len('decoder_'):]] = value
    if not out:
        raise KeyError('no MAE decoder keys (decoder_*, mask_token) in the '
                       'state dict: an encoder-only checkpoint such as '
                       'mae_pretrain_vit_base.pth; the decoder needs the '
                       '*_full.pth file')
    return out


def vit_converter(fmt: str = 'auto'):
    """A ``converter`` for :func:`~mmtrack_ext.models.utils.load_pretrained`
    that maps MAE / timm ViT state dicts onto :class:`OneStreamViT`.

    ``fmt``: ``'mae'`` / ``'timm'`` convert; ``'mmengine'`` (the backbone's
    own names, e.g. a tracker or pretext-model checkpoint with
    ``pretrained_prefix='backbone.'``) passes the keys through; ``'auto'``
    passes them through when they carry the backbone's own positional
    tables (``pos_embed_search``), else converts.
    """
    if fmt not in ('auto', 'mae', 'timm', 'mmengine'):
        raise ValueError(f"unknown pretrained format {fmt!r} (expected "
                         "'auto', 'mae', 'timm' or 'mmengine')")

    def convert(state: Dict[str, Tensor], backbone) -> Dict[str, Tensor]:
        if fmt == 'mmengine' or (fmt == 'auto'
                                 and 'pos_embed_search' in state):
            return state
        converted, _ = convert_vit_state_dict(
            state, backbone, 'mae' if fmt == 'auto' and any(
                k.startswith(_MAE_DECODER_KEYS) for k in state) else fmt)
        own = backbone.state_dict()
        for key, value in converted.items():
            if key in own and own[key].shape != value.shape:
                raise ValueError(
                    f'{key} has shape {tuple(value.shape)} in the checkpoint '
                    f'but {tuple(own[key].shape)} in the backbone '
                    '(embed_dim/depth/mlp_ratio must match the checkpoint)')
        return converted

    return convert
