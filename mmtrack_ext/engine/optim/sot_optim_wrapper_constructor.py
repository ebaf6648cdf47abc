"""Parameter groups by module path (``custom_keys`` that match exactly)."""
from typing import Dict, List, Optional

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor

from mmtrack_ext.registry import OPTIM_WRAPPER_CONSTRUCTORS

__all__ = ['SOTOptimWrapperConstructor', 'match_key']

_NORMS = (nn.modules.batchnorm._BatchNorm, nn.GroupNorm, nn.LayerNorm,
          nn.modules.instancenorm._InstanceNorm)


def match_key(key: str, name: str) -> bool:
    """Whether ``key`` is a run of whole dotted components of ``name``.

    ``'backbone'`` and ``'backbone.blocks.1'`` match
    ``'backbone.blocks.1.attn.qkv.weight'``; ``'backbone.blocks.1'`` does
    not match ``'backbone.blocks.10.mlp.fc1.weight'`` (MMEngine's default
    constructor matches substrings, so it would).
    """
    return f'.{key}.' in f'.{name}.'


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class SOTOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """MMEngine's constructor with ``custom_keys`` matched on module-path
    boundaries (:func:`match_key`; the longest matching key wins) and
    frozen parameters left out.

    ``paramwise_cfg`` keys: ``custom_keys`` (``{key: dict(lr_mult=...,
    decay_mult=...)}``), ``bias_decay_mult``, ``norm_decay_mult`` (applied
    where no custom key matches). ``lr_mult=0`` is refused: it would still
    compute gradients and keep drop-path and BatchNorm updates active;
    freeze with the model's ``frozen_modules`` instead, which this
    constructor then leaves out of the optimizer.

    Example (encoder at 0.1x, only its last two blocks trained)::

        model = dict(frozen_modules=['backbone'],
                     trainable_modules=['backbone.blocks.10',
                                        'backbone.blocks.11',
                                        'backbone.norm'])
        optim_wrapper = dict(
            constructor='SOTOptimWrapperConstructor',
            optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
            paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))
    """

    def __init__(self, optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None):
        super().__init__(optim_wrapper_cfg, paramwise_cfg)
        allowed = {'custom_keys', 'bias_decay_mult', 'norm_decay_mult'}
        unknown = set(self.paramwise_cfg) - allowed
        if unknown:
            raise KeyError(f'paramwise_cfg: unknown keys {sorted(unknown)} '
                           f'for SOTOptimWrapperConstructor; valid: '
                           f'{sorted(allowed)}')
        for key, opts in self.paramwise_cfg.get('custom_keys', {}).items():
            bad = set(opts) - {'lr_mult', 'decay_mult'}
            if bad:
                raise KeyError(f'paramwise_cfg.custom_keys[{key!r}]: unknown '
                               f'options {sorted(bad)} (lr_mult, decay_mult)')
            if opts.get('lr_mult', 1.) == 0:
                raise ValueError(
                    f'paramwise_cfg.custom_keys[{key!r}]: lr_mult=0 does not '
                    'freeze (gradients, drop-path and BatchNorm updates stay'
                    " on); put the module in the model's frozen_modules")

    def _validate_keys(self, model: nn.Module) -> None:
        names = [n for n, _ in model.named_parameters()]
        for key in self.paramwise_cfg.get('custom_keys', {}):
            if not any(match_key(key, n) for n in names):
                raise KeyError(f'paramwise_cfg.custom_keys: {key!r} matches '
                               'no parameter of the model (keys match whole '
                               'module-path components)')

    def add_params(self, params: List[dict], module: nn.Module,
                   prefix: str = '', is_dcn_module=None) -> None:
        """Fill ``params`` with one group per parameter of ``module``."""
        self._validate_keys(module)
        custom = self.paramwise_cfg.get('custom_keys', {})
        keys = sorted(custom, key=len, reverse=True)
        bias_mult = self.paramwise_cfg.get('bias_decay_mult', None)
        norm_mult = self.paramwise_cfg.get('norm_decay_mult', None)
        norm_params = {id(p) for m in module.modules()
                       if isinstance(m, _NORMS)
                       for p in m.parameters(recurse=False)}
        for name, param in module.named_parameters():
            if not param.requires_grad:
                continue  # frozen: not optimised
            group: Dict = dict(params=[param])
            key = next((k for k in keys if match_key(k, name)), None)
            decay = self.base_wd
            if key is not None:
                group['lr'] = self.base_lr * custom[key].get('lr_mult', 1.)
                if decay is not None:
                    decay = decay * custom[key].get('decay_mult', 1.)
            elif decay is not None:
                if id(param) in norm_params and norm_mult is not None:
                    decay = decay * norm_mult
                elif name.endswith('.bias') and bias_mult is not None:
                    decay = decay * bias_mult
            if decay is not None:
                group['weight_decay'] = decay
            params.append(group)

    def __call__(self, model: nn.Module):
        if hasattr(model, 'module'):
            model = model.module
        if not self.paramwise_cfg:  # still leave frozen parameters out
            self.paramwise_cfg = dict(custom_keys={})
        return super().__call__(model)
