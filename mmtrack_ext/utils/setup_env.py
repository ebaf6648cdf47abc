"""Environment set-up: module registration and distributed initialisation."""
import datetime
import os
import subprocess
import warnings
from typing import Optional

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.dist import init_dist, is_distributed
from mmengine.registry import DefaultScope

__all__ = [
    'register_all_modules', 'default_dist_backend', 'setup_dist_backend',
    'init_dist_env'
]


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register all modules of mmtrack_ext into its registries.

    Args:
        init_default_scope (bool): whether to set the default scope to
            ``'mmtrack_ext'``, so that a bare ``type='...'`` is looked up in
            the registries of mmtrack_ext first (see
            ``mmengine/registry/README.md``). Defaults to True.
    """
    import mmtrack_ext.datasets  # noqa: F401,F403
    import mmtrack_ext.engine  # noqa: F401,F403
    import mmtrack_ext.evaluation  # noqa: F401,F403
    import mmtrack_ext.models  # noqa: F401,F403
    import mmtrack_ext.visualization  # noqa: F401,F403

    if init_default_scope:
        never_created = DefaultScope.get_current_instance() is None \
            or not DefaultScope.check_instance_created('mmtrack_ext')
        if never_created:
            DefaultScope.get_instance('mmtrack_ext', scope_name='mmtrack_ext')
            return
        current_scope = DefaultScope.get_current_instance()
        if current_scope.scope_name != 'mmtrack_ext':
            warnings.warn('The current default scope '
                          f'"{current_scope.scope_name}" is not '
                          '"mmtrack_ext", `register_all_modules` will force '
                          'the current default scope to be "mmtrack_ext". '
                          'If this is not expected, please set '
                          '`init_default_scope=False`.')
            # avoid name conflict
            new_instance_name = f'mmtrack_ext-{datetime.datetime.now()}'
            DefaultScope.get_instance(
                new_instance_name, scope_name='mmtrack_ext')


def default_dist_backend() -> str:
    """``'nccl'`` when CUDA is available, else ``'gloo'``."""
    return 'nccl' if torch.cuda.is_available() else 'gloo'


def setup_dist_backend(cfg: Config) -> str:
    """Choose ``cfg.env_cfg.dist_cfg.backend`` for the machine.

    Without CUDA a ``nccl`` (or missing) backend becomes ``gloo``; with CUDA a
    missing backend becomes ``nccl``. Any other explicit choice (``gloo`` on
    GPUs, ``mpi``) is kept.

    Returns:
        str: the backend now in the config.
    """
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    backend = dist_cfg.get('backend')
    if backend is None or (backend == 'nccl'
                           and not torch.cuda.is_available()):
        backend = default_dist_backend()
    dist_cfg['backend'] = backend
    return backend


def _setup_slurm_env(port: Optional[int] = None) -> None:
    """The ``RANK``/``WORLD_SIZE``/``LOCAL_RANK``/``MASTER_*`` variables of
    ``torch.distributed`` from those of SLURM (as MMEngine does)."""
    proc_id = int(os.environ['SLURM_PROCID'])
    ntasks = int(os.environ['SLURM_NTASKS'])
    node_list = os.environ['SLURM_NODELIST']
    local_rank = int(os.environ.get('SLURM_LOCALID', 0))
    if port is not None:
        os.environ['MASTER_PORT'] = str(port)
    else:
        os.environ.setdefault('MASTER_PORT', '29500')
    if 'MASTER_ADDR' not in os.environ:
        os.environ['MASTER_ADDR'] = subprocess.getoutput(
            f'scontrol show hostname {node_list} | head -n1')
    os.environ['WORLD_SIZE'] = str(ntasks)
    os.environ['LOCAL_RANK'] = str(local_rank)
    os.environ['RANK'] = str(proc_id)


def _setup_mpi_env() -> None:
    os.environ.setdefault('RANK', os.environ['OMPI_COMM_WORLD_RANK'])
    os.environ.setdefault('WORLD_SIZE', os.environ['OMPI_COMM_WORLD_SIZE'])
    os.environ.setdefault('LOCAL_RANK',
                          os.environ['OMPI_COMM_WORLD_LOCAL_RANK'])
    os.environ.setdefault('MASTER_PORT', '29500')
    if 'MASTER_ADDR' not in os.environ:
        raise KeyError('The environment variable MASTER_ADDR is not set')


def init_dist_env(launcher: str, **dist_cfg) -> None:
    """Initialise ``torch.distributed`` for ``launcher``, on GPUs or CPUs.

    With CUDA this is :func:`mmengine.dist.init_dist`. Without CUDA,
    MMEngine's ``init_dist`` fails in ``torch.cuda.set_device``; here the
    process group is created directly (``env://`` from the variables of
    ``torchrun``, SLURM or Open MPI, ``gloo`` unless told otherwise).  The
    ``Runner`` then finds the group initialised and uses it.

    Args:
        launcher (str): ``'pytorch'`` (torchrun), ``'slurm'`` or ``'mpi'``.
        **dist_cfg: ``env_cfg.dist_cfg`` of the config (``backend``,
            ``timeout`` in seconds, ``port`` for SLURM, other
            ``init_process_group`` arguments).
    """
    if launcher == 'none' or is_distributed():
        return
    if torch.cuda.is_available():
        init_dist(launcher, **dist_cfg)
        return
    kwargs = dict(dist_cfg)
    backend = kwargs.pop('backend', None) or 'gloo'
    if backend == 'nccl':
        backend = 'gloo'
    kwargs.pop('init_backend', None)
    port = kwargs.pop('port', None)
    if kwargs.get('timeout') is not None:
        kwargs['timeout'] = datetime.timedelta(seconds=kwargs['timeout'])
    if launcher == 'slurm':
        _setup_slurm_env(port)
    elif launcher == 'mpi':
        _setup_mpi_env()
    elif launcher != 'pytorch':
        raise ValueError(f'Invalid launcher type: {launcher}')
    torch_dist.init_process_group(backend=backend, **kwargs)


def close_dist_env() -> None:
    """Wait for every process and destroy the default process group.

    Call it at the end of a distributed job: a process that exits with the
    gloo group still alive can abort in the group's threads ("terminate
    called without an active exception") after its work is done, which makes
    the launcher report a failure.
    """
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.barrier()
        torch_dist.destroy_process_group()
