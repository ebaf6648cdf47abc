"""Mixed precision through ``torch.autocast`` on any device."""
from contextlib import contextmanager
from functools import lru_cache
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.optim import OptimWrapper

from mmtrack_ext.registry import OPTIM_WRAPPERS

__all__ = ['AutocastOptimWrapper', 'cpu_has_native_bf16']

_DTYPES = {
    'bfloat16': torch.bfloat16,
    'bf16': torch.bfloat16,
    'float16': torch.float16,
    'fp16': torch.float16,
    'half': torch.float16,
}


@lru_cache(maxsize=None)
def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bfloat16 matrix products in hardware
    (AVX512-BF16 or AMX).

    Without them oneDNN emulates bfloat16 and autocast is far slower than
    float32 (a tiny ViT training step: 12.6 s in bf16 against 0.6 s in fp32
    on a 2-core AVX2 machine). Probed once per process.
    """
    cpu = getattr(torch, 'cpu', None)
    for probe in ('_is_avx512_bf16_supported', '_is_amx_tile_supported'):
        fn = getattr(cpu, probe, None)
        if fn is not None and fn():
            return True
    return False


def _device_type(model: nn.Module) -> str:
    for tensor in model.parameters():
        return tensor.device.type
    return 'cpu'


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """Optimizer wrapper that runs the forward pass under
    :func:`torch.autocast` on the device of the model, CPU included.

    MMEngine's :class:`~mmengine.optim.AmpOptimWrapper` asserts a GPU (or
    NPU/MLU/MUSA) and always uses a ``GradScaler``. This wrapper only enters
    ``torch.autocast(device_type=<device of the model parameters>,
    dtype=bfloat16)`` in :meth:`optim_context` (which also keeps the gradient
    accumulation behaviour of :class:`~mmengine.optim.OptimWrapper`); the
    backward pass and the update are those of ``OptimWrapper``, on the fp32
    master parameters.

    No loss scaling is done: bfloat16 has the exponent range of float32, so
    gradients do not underflow and a ``GradScaler`` is unnecessary. With
    ``dtype='float16'`` small gradients can underflow; on CUDA prefer
    ``AmpOptimWrapper`` (fp16 with a dynamic loss scale), which is what
    ``tools/train.py --amp`` picks there.

    Args:
        dtype (str | torch.dtype): autocast dtype, ``'bfloat16'`` (default)
            or ``'float16'``.
        device_type (str, optional): force the autocast device type; by
            default that of the model's first parameter.
        enabled (bool): turn autocast off without changing the config.
        cpu_native_only (bool): on a CPU, autocast to bfloat16 only when the
            CPU has bfloat16 instructions (:func:`cpu_has_native_bf16`);
            elsewhere train in float32 and say so once (default True: an
            emulated bf16 step is an order of magnitude slower). False
            autocasts anyway, e.g. to test numerics.
        **kwargs: arguments of :class:`~mmengine.optim.OptimWrapper`
            (``optimizer``, ``accumulative_counts``, ``clip_grad``).
    """

    def __init__(self,
                 dtype: Union[str, torch.dtype] = 'bfloat16',
                 device_type: Optional[str] = None,
                 enabled: bool = True,
                 cpu_native_only: bool = True,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if isinstance(dtype, str):
            if dtype not in _DTYPES:
                raise ValueError(
                    f'dtype must be one of {sorted(_DTYPES)}, got {dtype!r}')
            dtype = _DTYPES[dtype]
        if dtype not in (torch.bfloat16, torch.float16):
            raise ValueError(f'unsupported autocast dtype {dtype}')
        self.cast_dtype = dtype
        self.device_type = device_type
        self.enabled = enabled
        self.cpu_native_only = cpu_native_only
        self._warned_fp16 = False
        self._warned_emulated = False

    @contextmanager
    def optim_context(self, model: nn.Module):
        """Gradient accumulation context of ``OptimWrapper`` plus
        ``torch.autocast`` on the model's device."""
        device_type = self.device_type or _device_type(model)
        if (self.cast_dtype == torch.float16 and not self._warned_fp16):
            self._warned_fp16 = True
            print_log(
                'AutocastOptimWrapper with float16 does no loss scaling; '
                'small gradients may underflow (use bfloat16, or '
                'AmpOptimWrapper on CUDA).',
                logger='current',
                level=30)
        enabled = self.enabled and self._native(device_type)
        with super().optim_context(model):
            with torch.autocast(
                    device_type=device_type,
                    dtype=self.cast_dtype,
                    enabled=enabled):
                yield

    def _native(self, device_type: str) -> bool:
        """False (and one warning) for bfloat16 on a CPU that would
        emulate it, when ``cpu_native_only``."""
        if (device_type != 'cpu' or not self.cpu_native_only
                or self.cast_dtype != torch.bfloat16
                or cpu_has_native_bf16()):
            return True
        if not self._warned_emulated:
            self._warned_emulated = True
            print_log(
                'AutocastOptimWrapper: this CPU has no bfloat16 instructions '
                '(AVX512-BF16/AMX), where bf16 autocast is emulated and much '
                'slower; training in float32 (cpu_native_only=False forces '
                'bf16).',
                logger='current',
                level=30)
        return False
