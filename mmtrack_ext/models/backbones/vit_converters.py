"""Load MAE and timm ViT checkpoints into :class:`OneStreamViT`.

Both formats name the patch embedding, blocks and final norm like timm
(``patch_embed.proj``, ``blocks.{i}.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,
mlp.fc2}``, ``norm``); the differences are the wrapper (``{'model': ...}`` for
MAE) and the extra keys (MAE decoder and mask token, timm classifier head),
which a tracking backbone does not use: they are reported as unused, and the
MAE decoder is available to decoder modules through
:func:`mae_decoder_state_dict`. The pretrained positional grid (with its cls
entry) is resampled bicubically to the template and search grids.

:func:`vit_converter` gives the ``converter`` that
:func:`~mmtrack_ext.models.utils.load_pretrained` applies for
:meth:`OneStreamViT.init_weights`.
"""
import math
from typing import Callable, Dict, List, Optional, Tuple

import torch.nn.functional as F
from torch import Tensor

from ..utils.pretrained import read_state_dict

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
        tuple: the converted state dict and the checkpoint keys the encoder
        leaves unused, encoder-like keys first (e.g. the patch projection
        for a conv stem), then the MAE decoder and mask token, the timm
        classifier head... Nothing is dropped silently:
        :func:`~mmtrack_ext.models.utils.load_pretrained` reports these keys
        as unexpected and :func:`mae_decoder_state_dict` extracts the decoder
        part for a decoder module.
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
    fixed_pos = getattr(backbone, 'pos_embed_type', 'learned') == 'sincos'
    if fixed_pos:
        # the backbone's sine-cosine tables are fixed: they keep their
        # values (and are not reported missing); the checkpoint's is unused
        for key in ('pos_embed_template', 'pos_embed_search',
                    'pos_embed_cls'):
            if hasattr(backbone, key):
                out[key] = getattr(backbone, key).detach().clone()
        if 'pos_embed' in state:
            unused.append('pos_embed')
    elif 'pos_embed' in state:
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
        if backbone.use_cls_token and num_prefix:
            out['pos_embed_cls'] = pos[:, :1].clone()
    if backbone.use_cls_token and 'cls_token' in state:
        out['cls_token'] = state['cls_token']
    elif 'cls_token' in state:
        unused.append('cls_token')
    unused = [k for k in unused if not k.startswith(_UNUSED_PREFIXES)] + [
        k for k in unused if k.startswith(_UNUSED_PREFIXES)
    ]
    return out, unused


def load_vit_pretrained(path: str, backbone, fmt: str = 'auto'
                        ) -> Dict[str, Tensor]:
    """Read a local checkpoint and convert it for ``backbone`` (no loading).

    The file is read by :func:`~mmtrack_ext.models.utils.read_state_dict`
    (``weights_only``, MMEngine / MAE / DeiT containers unwrapped) and
    converted by :func:`vit_converter`. :meth:`OneStreamViT.init_weights`
    loads through :func:`~mmtrack_ext.models.utils.load_pretrained`, which
    also selects a prefix and checks how much of the backbone is filled.

    Returns:
        dict: the state dict in ``backbone``'s names.

    Raises:
        ValueError: a converted tensor's shape differs from the backbone's
            (the message names the file, the key and both shapes).
    """
    converter = vit_converter(fmt)
    state = read_state_dict(path)
    converted = state if converter is None else converter(state, backbone)[0]
    own = backbone.state_dict()
    for key, value in converted.items():
        if key in own and own[key].shape != value.shape:
            raise ValueError(
                f'{path}: {key} has shape {tuple(value.shape)} in the '
                f'checkpoint but {tuple(own[key].shape)} in the backbone '
                '(embed_dim/depth/mlp_ratio must match the checkpoint)')
    return converted


#: key prefixes of the MAE decoder in the official checkpoints
#: (``mae_pretrain_vit_{base,large,huge}_full.pth``)
MAE_DECODER_PREFIX = 'decoder_'
_MAE_DECODER_KEYS = (MAE_DECODER_PREFIX, 'mask_token')
VIT_FORMATS = ('auto', 'mae', 'timm', 'mmengine')


def mae_decoder_state_dict(state: Dict[str, Tensor]) -> Dict[str, Tensor]:
    """The decoder part of an official MAE state dict, ``decoder_`` removed.

    - ``decoder_embed.{weight,bias}`` -> ``embed.*``: ``(C_d, C)``, ``(C_d,)``;
    - ``decoder_blocks.{i}.*`` -> ``blocks.{i}.*`` (timm block names:
      ``norm1``, ``attn.qkv``, ``attn.proj``, ``norm2``, ``mlp.fc1``,
      ``mlp.fc2``);
    - ``decoder_norm.{weight,bias}`` -> ``norm.*``: ``(C_d,)``;
    - ``decoder_pred.{weight,bias}`` -> ``pred.*``: ``(p * p * 3, C_d)``;
    - ``decoder_pos_embed`` -> ``pos_embed``: ``(1, 1 + N, C_d)``;
    - ``mask_token`` (kept): ``(1, 1, C_d)``.

    ``C`` is the encoder width, ``C_d`` the decoder width (512 for the
    official models), ``N`` the number of patches of the pretraining grid
    (196 at 224 px / patch 16; ``pos_embed`` keeps its cls entry first) and
    ``p`` the patch size. A decoder module (MAT / MMG reconstruction heads)
    named ``embed``, ``blocks``, ``norm``, ``pred``, ``pos_embed`` and
    ``mask_token`` loads the result directly, e.g.::

        load_pretrained(decoder, 'mae_pretrain_vit_base_full.pth',
                        converter=lambda sd, _: mae_decoder_state_dict(sd))

    The encoder conversion (:func:`convert_vit_state_dict`) lists the same
    keys as unused.

    Args:
        state: the unwrapped MAE state dict (``checkpoint['model']``).

    Returns:
        dict: the decoder tensors (the same tensor objects, not copies).

    Raises:
        KeyError: ``state`` has no decoder key (an encoder-only checkpoint).
    """
    out = {}
    for key, value in state.items():
        if key == 'mask_token':
            out[key] = value
        elif key.startswith(MAE_DECODER_PREFIX):
            out[key[len(MAE_DECODER_PREFIX):]] = value
    if not out:
        raise KeyError(
            'no MAE decoder keys (decoder_*, mask_token) in the state dict '
            f'(first keys: {list(state)[:5]}): an encoder-only checkpoint '
            'such as mae_pretrain_vit_base.pth; the decoder is in the '
            '*_full.pth file')
    return out


def is_own_vit_format(state: Dict[str, Tensor]) -> bool:
    """Whether ``state`` already uses :class:`OneStreamViT`'s names (it has
    the per-image positional tables instead of a ViT ``pos_embed``)."""
    return 'pos_embed_search' in state or 'pos_embed_template' in state


def vit_converter(fmt: str = 'auto') -> Optional[Callable]:
    """A ``converter`` for :func:`~mmtrack_ext.models.utils.load_pretrained`
    that maps MAE / timm ViT state dicts onto :class:`OneStreamViT`.

    Args:
        fmt: ``'mae'`` / ``'timm'``: convert (:func:`convert_vit_state_dict`);
            ``'mmengine'``: the checkpoint uses the backbone's own names (a
            tracker or pretext-model checkpoint, with
            ``pretrained_prefix='backbone.'``): no converter (``None``);
            ``'auto'``: pass the keys through when they are in the backbone's
            own format (:func:`is_own_vit_format`), else convert.

    Returns:
        callable or None: ``convert(state, backbone) -> (state_dict,
        unused_keys)``, or ``None`` for ``'mmengine'``.

    Raises:
        ValueError: unknown ``fmt``.
    """
    if fmt not in VIT_FORMATS:
        raise ValueError(f'unknown pretrained format {fmt!r} (expected one '
                         f'of {", ".join(map(repr, VIT_FORMATS))})')
    if fmt == 'mmengine':
        return None

    def convert(state: Dict[str, Tensor], backbone
                ) -> Tuple[Dict[str, Tensor], List[str]]:
        if fmt == 'auto' and is_own_vit_format(state):
            return dict(state), []
        name = fmt
        if fmt == 'auto':
            name = 'mae' if any(
                k.startswith(_MAE_DECODER_KEYS) for k in state) else 'timm'
        return convert_vit_state_dict(state, backbone, name)

    return convert
