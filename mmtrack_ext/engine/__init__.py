"""Engine components of mmtrack_ext: safe checkpoint loading, a model wrapper
for CPU distributed training, an autocast optimizer wrapper and a hook that
fits training into a time budget.

Importing this package (which the ``locations`` of
:mod:`mmtrack_ext.registry` do as soon as a ``Runner`` with
``default_scope='mmtrack_ext'`` builds its hooks) installs
:func:`~.safe_checkpoint.load_from_local_weights_only` as MMEngine's loader of
local checkpoints.
"""
from .hooks import TimeBudgetHook
from .model_wrappers import DeviceAwareDistributedDataParallel
from .optim import AutocastOptimWrapper, SOTOptimWrapperConstructor
from .safe_checkpoint import (MMENGINE_CHECKPOINT_GLOBALS,
                              TRUSTED_CHECKPOINTS_ENV, UnsafeCheckpointError,
                              find_unsafe_globals,
                              install_safe_checkpoint_loader,
                              is_trusted_checkpoint,
                              load_from_local_weights_only, safe_torch_load,
                              trust_checkpoint)

install_safe_checkpoint_loader()

__all__ = [
    'TimeBudgetHook', 'DeviceAwareDistributedDataParallel', 'AutocastOptimWrapper',
    'SOTOptimWrapperConstructor',
    'MMENGINE_CHECKPOINT_GLOBALS', 'TRUSTED_CHECKPOINTS_ENV',
    'UnsafeCheckpointError', 'find_unsafe_globals',
    'install_safe_checkpoint_loader', 'is_trusted_checkpoint',
    'load_from_local_weights_only', 'safe_torch_load', 'trust_checkpoint'
]
