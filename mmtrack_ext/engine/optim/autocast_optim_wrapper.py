"""Mixed precision through ``torch.autocast`` on any device."""
from contextlib import contextmanager
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.optim import OptimWrapper

from mmtrack_ext.registry import OPTIM_WRAPPERS

__all__ = ['AutocastOptimWrapper']

_DTYPES = {
    'bfloat16': torch.bfloat16,
    'bf16': torch.bfloat16,
    'float16': torch.float16,
    'fp16': torch.float16,
    'half': torch.float16,
}


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
        **kwargs: arguments of :class:`~mmengine.optim.OptimWrapper`
            (``optimizer``, ``accumulative_counts``, ``clip_grad``).
    """

    def __init__(self,
                 dtype: Union[str, torch.dtype] = 'bfloat16',
                 device_type: Optional[str] = None,
                 enabled: bool = True,
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
        self._warned_fp16 = False

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
        with super().optim_context(model):
            with torch.autocast(
                    device_type=device_type,
                    dtype=self.cast_dtype,
                    enabled=self.enabled):
                yield
