"""Freezing parts of a model by module name (``frozen_modules``)."""
from typing import Iterable, List, Sequence

import torch.nn as nn

__all__ = ['ModuleFreezer']


def _under(name: str, prefix: str) -> bool:
    """Whether module/parameter ``name`` is ``prefix`` or inside it (module
    path boundaries: ``blocks.1`` does not contain ``blocks.10``)."""
    return name == prefix or name.startswith(prefix + '.')


class ModuleFreezer:
    """Freeze modules of ``model`` by exact module path.

    A frozen module gets ``requires_grad=False`` on its parameters and stays
    in eval mode whatever ``model.train()`` says (no drop-path, dropout or
    BatchNorm statistic updates). ``trainable`` names sub-modules of frozen
    ones that stay trainable, e.g. the last blocks of a frozen encoder::

        frozen=['backbone'],
        trainable=['backbone.blocks.10', 'backbone.blocks.11',
                   'backbone.norm']

    Names match module paths exactly (``backbone.blocks.1`` is block 1, not
    blocks 10 and 11); a name that matches no module raises ``KeyError``.

    Args:
        model: the model whose modules are named.
        frozen: module paths to freeze.
        trainable: module paths inside frozen ones to keep trainable.
    """

    def __init__(self, model: nn.Module, frozen: Sequence[str] = (),
                 trainable: Sequence[str] = ()):
        self.frozen = [str(n) for n in frozen]
        self.trainable = [str(n) for n in trainable]
        names = dict(model.named_modules())
        for kind, group in (('frozen_modules', self.frozen),
                            ('trainable_modules', self.trainable)):
            missing = [n for n in group if n not in names]
            if missing:
                raise KeyError(
                    f'{kind}: no module named {missing} in '
                    f'{type(model).__name__}; top-level modules: '
                    f'{[n for n, _ in model.named_children()]}')
        for name in self.trainable:
            if not any(_under(name, f) for f in self.frozen):
                raise ValueError(f'trainable_modules: {name!r} is not inside '
                                 f'any of frozen_modules {self.frozen}')
        self._eval_modules: List[nn.Module] = []
        if not self.frozen:
            return
        for name, param in model.named_parameters():
            if self.is_frozen(name):
                param.requires_grad_(False)
        for name, module in names.items():
            # eval mode for frozen modules that hold no trainable part
            if self.is_frozen(name) and not any(
                    _under(t, name) for t in self.trainable):
                self._eval_modules.append(module)

    def is_frozen(self, name: str) -> bool:
        """Whether module or parameter ``name`` is frozen."""
        return (any(_under(name, f) for f in self.frozen)
                and not any(_under(name, t) for t in self.trainable))

    def apply_eval(self) -> None:
        """Put frozen modules back into eval mode (call after
        ``model.train()``)."""
        for module in self._eval_modules:
            module.train(False)

    @staticmethod
    def all_frozen(params: Iterable[nn.Parameter]) -> bool:
        """True when no parameter requires a gradient (also when empty)."""
        return not any(p.requires_grad for p in params)
