"""Model wrappers of mmtrack_ext."""
from typing import Any

import torch.nn as nn
from mmengine.model import MMDistributedDataParallel

from mmtrack_ext.registry import MODEL_WRAPPERS

__all__ = ['DeviceAwareDistributedDataParallel']


def _module_device_type(module: nn.Module) -> str:
    """Device type of the first parameter (or buffer); ``'cpu'`` if none."""
    for tensor in module.parameters():
        return tensor.device.type
    for tensor in module.buffers():
        return tensor.device.type
    return 'cpu'


@MODEL_WRAPPERS.register_module()
class DeviceAwareDistributedDataParallel(MMDistributedDataParallel):
    """:class:`~mmengine.model.MMDistributedDataParallel` that also works for
    models on the CPU (``gloo`` backend).

    ``Runner.wrap_model`` of MMEngine 0.10.7 always passes
    ``device_ids=[LOCAL_RANK]``, which
    :class:`torch.nn.parallel.DistributedDataParallel` rejects for a CPU
    module. This wrapper drops ``device_ids`` and ``output_device`` when the
    module's parameters are on the CPU and passes everything through
    otherwise (CUDA and other accelerators behave exactly as with
    ``MMDistributedDataParallel``).

    Use it through ``model_wrapper_cfg`` (set in
    ``configs/_base_/default_runtime.py``)::

        model_wrapper_cfg = dict(
            type='mmtrack_ext.DeviceAwareDistributedDataParallel',
            broadcast_buffers=False,
            find_unused_parameters=False)

    The ``mmtrack_ext.`` scope prefix is required: MMEngine resolves the
    wrapper type in its root registry before building it.

    Args:
        module (nn.Module): the model to wrap.
        detect_anomalous_params (bool): see ``MMDistributedDataParallel``.
        **kwargs: arguments of ``DistributedDataParallel``.
    """

    def __init__(self,
                 module: nn.Module,
                 detect_anomalous_params: bool = False,
                 **kwargs: Any) -> None:
        if _module_device_type(module) == 'cpu':
            kwargs.pop('device_ids', None)
            kwargs.pop('output_device', None)
        super().__init__(
            module=module,
            detect_anomalous_params=detect_anomalous_params,
            **kwargs)
