"""One loader of pretrained weights for every backbone of mmtrack_ext.

:func:`load_pretrained` reads a local checkpoint without unpickling code
(:func:`mmtrack_ext.engine.safe_checkpoint.safe_torch_load`: ``weights_only``
plus the globals an MMEngine ``Runner`` writes in ``meta`` / ``message_hub``),
unwraps the state dict of the usual containers, optionally selects the keys
under a prefix (a tracker's or a pretext model's ``backbone.``), converts a
foreign layout with a ``converter`` and loads the result, refusing files that
fill too little of the module instead of silently loading nothing.

Supported containers (first match wins):

- MMEngine checkpoints: ``{'meta': ..., 'state_dict': {...}, ...}``;
- MAE / DeiT / timm training checkpoints: ``{'model': {...}, ...}``;
- a plain state dict ``{name: Tensor}``.

A leading ``module.`` (``DistributedDataParallel`` /
``MMDistributedDataParallel``) is removed from every key, as MMEngine does.
Non-tensor entries of the state dict are ignored.
"""
import logging
import os
from typing import (Callable, Dict, Iterable, List, Mapping, Optional,
                    Sequence, Tuple, Union)

import torch.nn as nn
from mmengine.logging import print_log
from torch import Tensor

from mmtrack_ext.engine.safe_checkpoint import safe_torch_load

__all__ = ['load_pretrained', 'read_state_dict', 'unwrap_checkpoint']

StateDict = Dict[str, Tensor]
#: ``converter(state_dict, module)`` returns the state dict in the module's
#: naming, or ``(state_dict, unused_keys)`` to also report which input keys it
#: dropped (they are then listed as unexpected).
Converter = Callable[[StateDict, nn.Module],
                     Union[StateDict, Tuple[StateDict, Sequence[str]]]]

# containers of the state dict in a checkpoint, in order of precedence
_CONTAINER_KEYS = ('state_dict', 'model')
_DDP_PREFIX = 'module.'
# buffers that checkpoints often omit (older torchvision files) and whose
# absence is harmless: neither counted nor reported as missing
_IGNORED_SUFFIXES = ('num_batches_tracked', )
# how many keys error messages and log lines show
_NUM_SHOWN_IN_ERRORS = 10
_NUM_SHOWN_IN_LOGS = 30


def _preview(keys: Sequence[str], limit: int) -> str:
    """``[a, b, ...] (+N more)`` of the first ``limit`` keys."""
    shown = list(keys[:limit])
    more = len(keys) - len(shown)
    return f'{shown}' + (f' (+{more} more)' if more > 0 else '')


def _describe(keys: Sequence[str], limit: int) -> str:
    """The keys themselves when at most ``limit``, else their count per
    first-level prefix (``layer4.* (30)``) so that log lines stay short."""
    if len(keys) <= limit:
        return f'{list(keys)}'
    groups: Dict[str, int] = {}
    for key in keys:
        head = key.split('.', 1)[0]
        head = f'{head}.*' if '.' in key else head
        groups[head] = groups.get(head, 0) + 1
    return ', '.join(f'{head} ({num})' for head, num in groups.items())


def unwrap_checkpoint(checkpoint: Mapping,
                      path: str = '<checkpoint>') -> StateDict:
    """The ``{name: Tensor}`` state dict held by a loaded checkpoint.

    Args:
        checkpoint: the object read from the file.
        path: the file name, for error messages.

    Returns:
        dict: the tensors of ``checkpoint['state_dict']`` (MMEngine),
        ``checkpoint['model']`` (MAE / DeiT) or ``checkpoint`` itself, with a
        leading ``module.`` removed from every key.

    Raises:
        TypeError: the file does not hold a dict.
        ValueError: the dict holds no tensors.
    """
    if not isinstance(checkpoint, Mapping):
        raise TypeError(f'{path}: expected a checkpoint dict, got '
                        f'{type(checkpoint).__name__}')
    state = checkpoint
    for key in _CONTAINER_KEYS:
        if isinstance(checkpoint.get(key), Mapping):
            state = checkpoint[key]
            break
    tensors: StateDict = {}
    for key, value in state.items():
        if not isinstance(value, Tensor):
            continue
        if key.startswith(_DDP_PREFIX):
            key = key[len(_DDP_PREFIX):]
        if key in tensors:
            raise ValueError(f'{path}: key {key!r} appears both with and '
                             f'without the {_DDP_PREFIX!r} prefix')
        tensors[key] = value
    if not tensors:
        raise ValueError(
            f'{path} holds no tensors: expected a state dict, or one under '
            f'{" or ".join(repr(k) for k in _CONTAINER_KEYS)}; top-level '
            f'keys: {_preview(list(checkpoint), _NUM_SHOWN_IN_ERRORS)}')
    return tensors


def read_state_dict(path: Union[str, os.PathLike]) -> StateDict:
    """Read a local checkpoint safely and return its (unwrapped) state dict.

    The file is loaded on the CPU by
    :func:`~mmtrack_ext.engine.safe_checkpoint.safe_torch_load`
    (``weights_only=True`` with the MMEngine allowlist: nothing from the file
    runs, unless the path was explicitly trusted), then unwrapped by
    :func:`unwrap_checkpoint`.
    """
    path = os.fspath(path)
    return unwrap_checkpoint(safe_torch_load(path, map_location='cpu'), path)


def _first_level_prefixes(keys: Iterable[str]) -> List[str]:
    """Sorted ``'name.'`` prefixes of the dotted keys."""
    return sorted({k.split('.', 1)[0] + '.' for k in keys if '.' in k})


def _strip_prefix(state: StateDict, prefix: str) -> StateDict:
    return {
        k[len(prefix):]: v
        for k, v in state.items() if k.startswith(prefix)
    }


def _convert(state: StateDict, module: nn.Module,
             converter: Optional[Converter]) -> Tuple[StateDict, List[str]]:
    """Apply ``converter``; returns the converted dict and the input keys it
    reported as unused."""
    if converter is None:
        return dict(state), []
    out = converter(state, module)
    if isinstance(out, tuple):
        out, unused = out
        return dict(out), list(unused)
    return dict(out), []


def _num_matches(state: StateDict, module: nn.Module,
                 converter: Optional[Converter], own: Iterable[str]) -> int:
    """Module keys that ``state`` fills once converted (0 if the converter
    fails: a wrong candidate prefix may not be in its format)."""
    try:
        converted, _ = _convert(state, module, converter)
    except Exception:  # only used to rank candidates, never to load
        return 0
    return len(set(converted).intersection(own))


def _matching_prefixes(state: StateDict, module: nn.Module,
                       converter: Optional[Converter],
                       own: Iterable[str]) -> Dict[str, int]:
    """First-level prefixes whose keys fill some of the module."""
    found = {}
    for prefix in _first_level_prefixes(state):
        num = _num_matches(
            _strip_prefix(state, prefix), module, converter, own)
        if num:
            found[prefix] = num
    return found


def _select(state: StateDict, prefix: Optional[str], module: nn.Module,
            converter: Optional[Converter], own: List[str], path: str,
            logger: Union[str, logging.Logger]
            ) -> Tuple[StateDict, Optional[str]]:
    """Apply ``prefix`` (``None``, a prefix or ``'auto'``); returns the
    selected state dict and the prefix that was removed (or ``None``)."""
    if prefix is None:
        return state, None
    name = type(module).__name__
    if prefix == 'auto':
        if _num_matches(state, module, converter, own):
            return state, None
        found = _matching_prefixes(state, module, converter, own)
        if len(found) > 1:
            raise ValueError(
                f"{path}: prefix='auto' is ambiguous: the keys under "
                f'{sorted(found)} all match {name} ({found} keys); pass the '
                "prefix explicitly (e.g. pretrained_prefix='backbone.')")
        if not found:  # nothing fits: the fraction check reports it
            return state, None
        (chosen, num), = found.items()
        print_log(
            f'{path}: no key matches {name} directly; using the {num} '
            f'matching keys under the prefix {chosen!r} '
            "(prefix='auto')",
            logger=logger)
        return _strip_prefix(state, chosen), chosen
    if not isinstance(prefix, str) or not prefix:
        raise TypeError(f"prefix must be None, 'auto' or a non-empty str, "
                        f'got {prefix!r}')
    if not prefix.endswith('.'):
        prefix += '.'
    selected = _strip_prefix(state, prefix)
    if not selected:
        raise ValueError(
            f'{path}: no key starts with the prefix {prefix!r}; first-level '
            'prefixes in the file: '
            f'{_preview(_first_level_prefixes(state), _NUM_SHOWN_IN_ERRORS)}')
    return selected, prefix


def load_pretrained(module: nn.Module,
                    path: Union[str, os.PathLike],
                    *,
                    prefix: Optional[str] = None,
                    converter: Optional[Converter] = None,
                    min_fraction: float = 0.5,
                    strict: bool = False,
                    logger: Union[str, logging.Logger] = 'current') -> dict:
    """Load pretrained weights from a local file into ``module``.

    Steps: read the file safely and unwrap its state dict
    (:func:`read_state_dict`), keep the keys under ``prefix``, convert them
    with ``converter``, check the shapes of the keys shared with the module,
    check that enough of the module is filled, load, and log the missing and
    unexpected keys.

    Args:
        module: the module to fill (in place).
        path: local checkpoint (MMEngine, MAE / DeiT ``{'model': ...}`` or a
            plain state dict; see the module docstring).
        prefix: ``None`` (use every key as is); a prefix such as
            ``'backbone.'`` (keep only the keys starting with it, with it
            removed; a missing trailing ``.`` is added); or ``'auto'``: the
            keys as they are if any of them fills the module, else the keys
            under the only first-level prefix (``backbone.``,
            ``encoder.``...) that does; an INFO line names the prefix chosen.
            With a ``converter``, matching is judged after conversion.
        converter: ``converter(state_dict, module)`` mapping a foreign layout
            onto the module's keys (e.g.
            :func:`~mmtrack_ext.models.backbones.vit_converters.vit_converter`
            for MAE / timm ViTs). It may return the state dict, or
            ``(state_dict, unused_keys)`` to report the input keys it dropped
            (then listed as unexpected).
        min_fraction: the smallest accepted fraction of the module's keys
            filled by the checkpoint (``num_batches_tracked`` buffers are not
            counted).
        strict: also raise when any module key is missing or any checkpoint
            key is unexpected.
        logger: where to log (see :func:`mmengine.logging.print_log`).

    Returns:
        dict: ``path``; ``prefix`` (the prefix removed, or ``None``);
        ``matched`` / ``missing`` (module keys filled / not filled);
        ``unexpected`` (checkpoint keys, after the prefix and the conversion,
        that the module does not use); ``fraction``
        (``len(matched) / (len(matched) + len(missing))``).

    Raises:
        ValueError: a shape differs (the message names the key and both
            shapes); no key or fewer than ``min_fraction`` of the module's
            keys match (the message names the file, the fraction and the first
            unmatched module and unused checkpoint keys); ``prefix`` matches
            no key or (``'auto'``) several first-level prefixes; with
            ``strict``, keys are missing or unexpected.
        mmtrack_ext.engine.UnsafeCheckpointError: the file needs code to be
            unpickled and is not trusted.
    """
    if not 0. <= min_fraction <= 1.:
        raise ValueError(f'min_fraction must be in [0, 1], got {min_fraction}')
    path = os.fspath(path)
    name = type(module).__name__
    own_state = module.state_dict()
    own = [k for k in own_state if not k.endswith(_IGNORED_SUFFIXES)]
    if not own:
        raise ValueError(f'{name} has no parameters or buffers to load '
                         f'from {path}')

    state = read_state_dict(path)
    state, used_prefix = _select(state, prefix, module, converter, own, path,
                                 logger)
    converted, dropped = _convert(state, module, converter)

    for key, value in converted.items():
        if key in own_state and own_state[key].shape != value.shape:
            raise ValueError(
                f'{path}: {key!r} has shape {tuple(value.shape)} in the '
                f'checkpoint but {tuple(own_state[key].shape)} in {name} '
                '(the module must be built with the dimensions of the '
                'checkpoint, e.g. embed_dim / mlp_ratio / channels)')

    matched = [k for k in own if k in converted]
    missing = [k for k in own if k not in converted]
    unexpected = [k for k in converted if k not in own_state] + [
        k for k in dropped if k not in converted
    ]
    fraction = len(matched) / len(own)
    where = f' under the prefix {used_prefix!r}' if used_prefix else ''

    if not matched or fraction < min_fraction:
        hint = ''
        if used_prefix is None:
            found = _matching_prefixes(state, module, converter, own)
            if found:
                best = max(found, key=found.get)
                hint = (f' The keys under {best!r} match {found[best]} keys: '
                        f'pass prefix={best!r} (pretrained_prefix in a '
                        "backbone config) or prefix='auto'.")
        raise ValueError(
            f'{path}: the checkpoint{where} fills {len(matched)} of the '
            f'{len(own)} keys of {name} ({fraction:.1%}, min_fraction='
            f'{min_fraction:.0%}). First unmatched {name} keys: '
            f'{_preview(missing, _NUM_SHOWN_IN_ERRORS)}; first unused '
            f'checkpoint keys: {_preview(unexpected, _NUM_SHOWN_IN_ERRORS)}.'
            f'{hint}')
    if strict and (missing or unexpected):
        raise ValueError(
            f'{path}: strict loading into {name} failed: missing keys '
            f'{_preview(missing, _NUM_SHOWN_IN_ERRORS)}; unexpected keys '
            f'{_preview(unexpected, _NUM_SHOWN_IN_ERRORS)}')

    module.load_state_dict(
        {k: v
         for k, v in converted.items() if k in own_state},
        strict=False)

    summary = (f'Loaded {len(matched)}/{len(own)} keys of {name} from '
               f'{path}{where}')
    if missing or unexpected:
        print_log(
            f'{summary} ({fraction:.1%}); missing keys ({len(missing)}): '
            f'{_describe(missing, _NUM_SHOWN_IN_LOGS)}; unexpected keys '
            f'({len(unexpected)}): '
            f'{_describe(unexpected, _NUM_SHOWN_IN_LOGS)}',
            logger=logger,
            level=logging.WARNING)
    else:
        print_log(summary, logger=logger)
    return dict(
        path=path,
        prefix=used_prefix,
        matched=matched,
        missing=missing,
        unexpected=unexpected,
        fraction=fraction)
