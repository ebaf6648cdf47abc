"""Train a tracker with the MMEngine Runner.

Examples::

    python tools/train.py CONFIG [--work-dir DIR] [--amp] [--resume [CKPT]]
    tools/dist_train.sh CONFIG NUM_PROCS [ARGS]   # torchrun, nccl or gloo

The config is checked against the protocols of the benchmarks it tests on
first (``mmtrack_ext.evaluation.protocol_guard``); ``protocol_guard = False``
overrides the check with a warning.
"""
import argparse
import logging
import os
import os.path as osp
import sys

# run from a source checkout without installing
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.logging import print_log  # noqa: E402
from mmengine.runner import Runner, find_latest_checkpoint  # noqa: E402

from mmtrack_ext.evaluation import protocol_guard  # noqa: E402
from mmtrack_ext.utils import (close_dist_env, init_dist_env,  # noqa: E402
                               setup_dist_backend)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a tracker')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable mixed precision training: fp16 with a dynamic loss '
        'scale (AmpOptimWrapper) on CUDA, bfloat16 autocast '
        '(AutocastOptimWrapper) on CPU')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='enable automatically scaling LR.')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint; without a path, from the '
        'latest checkpoint in the work_dir (auto-resume)')
    parser.add_argument(
        '--trust-checkpoint',
        action='store_true',
        help='load the checkpoint to resume from (or `load_from`) as a full '
        'pickle (weights_only=False). Only for files from a trusted source: '
        'unpickling can run arbitrary code. Without it, checkpoints holding '
        'anything beyond tensors and the MMEngine allowlist are refused.')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file. If the value to '
        'be overwritten is a list, it should be like key="[a,b]" or key=a,b '
        'It also allows nested list/tuple values, e.g. key="[(a,b),(c,d)]" '
        'Note that the quotation marks are necessary and that no white space '
        'is allowed.')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    args = parser.parse_args(argv)
    # torchrun sets LOCAL_RANK in the environment; keep it there for MMEngine
    os.environ.setdefault('LOCAL_RANK', '0')
    return args


def setup_amp(cfg: Config) -> str:
    """Switch ``cfg.optim_wrapper`` to mixed precision for this machine.

    Returns:
        str: the optimizer wrapper type now in the config.
    """
    import torch
    optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if optim_wrapper in ('AmpOptimWrapper', 'AutocastOptimWrapper'):
        print_log(
            f'{optim_wrapper} is already set in the config.',
            logger='current',
            level=logging.WARNING)
        return optim_wrapper
    assert optim_wrapper == 'OptimWrapper', (
        '`--amp` is only supported when the optimizer wrapper type is '
        f'`OptimWrapper` but got {optim_wrapper}.')
    if torch.cuda.is_available():
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
    else:
        cfg.optim_wrapper.type = 'AutocastOptimWrapper'
        cfg.optim_wrapper.dtype = 'bfloat16'
    return cfg.optim_wrapper.type


def setup_cfg(args) -> Config:
    """Build the config from the command line arguments."""
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)

    # work_dir: command line > config > ./work_dirs/{config name}
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.work_dir = osp.abspath(cfg.work_dir)

    if args.amp:
        setup_amp(cfg)

    if args.auto_scale_lr:
        if 'auto_scale_lr' in cfg and \
                'enable' in cfg.auto_scale_lr and \
                'base_batch_size' in cfg.auto_scale_lr:
            cfg.auto_scale_lr.enable = True
        else:
            raise RuntimeError('Can not find "auto_scale_lr" or '
                               '"auto_scale_lr.enable" or '
                               '"auto_scale_lr.base_batch_size" in your'
                               ' configuration file.')

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    setup_dist_backend(cfg)
    return cfg


def trust_checkpoints(cfg: Config) -> None:
    """``--trust-checkpoint``: trust the file that will be resumed from or
    loaded (and nothing else)."""
    from mmtrack_ext.engine import trust_checkpoint
    path = cfg.get('load_from')
    if path is None and cfg.get('resume', False):
        path = find_latest_checkpoint(cfg.work_dir)
    if path is None:
        return
    if '://' in path:
        print_log(
            f'--trust-checkpoint only applies to local files, not {path}',
            logger='current',
            level=logging.WARNING)
        return
    trust_checkpoint(path)


def main(argv=None):
    args = parse_args(argv)
    cfg = setup_cfg(args)
    protocol_guard(cfg)
    if args.trust_checkpoint:
        trust_checkpoints(cfg)
    # without CUDA, MMEngine's init_dist would call torch.cuda.set_device
    init_dist_env(args.launcher, **cfg.env_cfg.get('dist_cfg', {}))

    # build the runner from config
    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        from mmengine.registry import RUNNERS
        runner = RUNNERS.build(cfg)

    runner.train()
    close_dist_env()  # on success only: a failed rank must not wait here


if __name__ == '__main__':
    main()
