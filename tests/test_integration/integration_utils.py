"""Helpers of the end-to-end tests (imported by path from the test files).

The tools run in subprocesses from the repository root, with the model hubs
offline. Everything they write goes to pytest temporary folders.
"""
import os
import os.path as osp
import subprocess
import sys
from typing import Dict, List, Optional, Sequence

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY_CONFIG = 'configs/onestream/onestream_vit-tiny-p8_center_synthetic.py'


def tail(text: Optional[str], n: int = 4000) -> str:
    text = text or ''
    return text if len(text) <= n else '...' + text[-n:]


def tool_env(extra: Optional[Dict[str, str]] = None,
             pythonpath: Sequence[str] = ()) -> Dict[str, str]:
    """``os.environ`` with the hubs offline, ``pythonpath`` prepended and
    ``extra`` set."""
    env = dict(os.environ)
    env['HF_HUB_OFFLINE'] = '1'
    env['TIMM_OFFLINE'] = '1'
    env['PYTHONUNBUFFERED'] = '1'
    if pythonpath:
        paths = [osp.join(REPO_ROOT, p) for p in pythonpath]
        if env.get('PYTHONPATH'):
            paths.append(env['PYTHONPATH'])
        env['PYTHONPATH'] = os.pathsep.join(paths)
    env.update(extra or {})
    return env


def run_tool(args: List[str], timeout: float, what: str = '',
             env: Optional[Dict[str, str]] = None,
             python: bool = True) -> subprocess.CompletedProcess:
    """Run ``python args...`` (or ``args`` when ``python=False``) from the
    repository root; fail with the output tails on a non-zero exit code or a
    timeout."""
    cmd = [sys.executable, *args] if python else list(args)
    what = what or ' '.join(args[:2])
    try:
        proc = subprocess.run(
            cmd, cwd=REPO_ROOT, env=env if env is not None else tool_env(),
            capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else e.stdout
        err = e.stderr.decode() if isinstance(e.stderr, bytes) else e.stderr
        pytest.fail(f'{what} timed out after {timeout} s\n'
                    f'--- stdout tail ---\n{tail(out)}\n'
                    f'--- stderr tail ---\n{tail(err)}')
    assert proc.returncode == 0, (
        f'{what} exited with {proc.returncode}\n'
        f'command: {cmd}\n'
        f'--- stdout tail ---\n{tail(proc.stdout, 2000)}\n'
        f'--- stderr tail ---\n{tail(proc.stderr)}')
    return proc


def data_root_options(root: str, eval_loaders: bool = True) -> List[str]:
    """``--cfg-options`` pointing every split of the synthetic configs at
    ``root`` (only the training split with ``eval_loaders=False``, for
    configs without val/test loaders)."""
    options = [f'train_dataloader.dataset.datasets.0.data_root={root}']
    if eval_loaders:
        options += [f'val_dataloader.dataset.data_root={root}',
                    f'test_dataloader.dataset.data_root={root}']
    return options


def small_train_options(root: str, eval_loaders: bool = True) -> List[str]:
    """One short epoch (2 iterations of 32 pairs), no loader workers."""
    return [
        'train_cfg.max_epochs=1',
        'train_dataloader.batch_size=32',
        'train_dataloader.dataset.samples_per_epoch=64',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        *data_root_options(root, eval_loaders),
    ]


def read_list(path: str) -> List[str]:
    with open(path) as f:
        return [line.strip() for line in f if line.strip()]


def count_lines(path: str) -> int:
    with open(path) as f:
        return sum(1 for line in f if line.strip())
