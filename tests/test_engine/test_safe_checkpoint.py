"""Safe (weights_only) loading of MMEngine checkpoints."""
import os
import os.path as osp
import pickle
import shlex

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.optim.scheduler.param_scheduler import OneCycleParamScheduler
from mmengine.runner import CheckpointLoader, Runner, load_checkpoint
from test_engine_runner import ToyEngineModel, write_toy_cfg

from mmtrack_ext.engine import (MMENGINE_CHECKPOINT_GLOBALS,
                                TRUSTED_CHECKPOINTS_ENV,
                                UnsafeCheckpointError, find_unsafe_globals,
                                is_trusted_checkpoint,
                                load_from_local_weights_only, safe_torch_load,
                                trust_checkpoint)

# both the weights_only unpickler (torch >= 2.6) and the restricted pickle
# unpickler used on older torch
PATHS = [pytest.param(True, id='weights_only'),
         pytest.param(False, id='restricted_pickle')]


class _Evil:
    """Unpickling runs a shell command that creates ``marker``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f'touch {shlex.quote(self.marker)}', ))


class _SneakyGetattr:
    """Only allowlisted globals, but a getattr outside the allowlist."""

    def __reduce__(self):
        return (getattr, (HistoryBuffer, 'register_statistics'))


@pytest.fixture(autouse=True)
def _no_trusted_checkpoints(monkeypatch):
    monkeypatch.setenv(TRUSTED_CHECKPOINTS_ENV, '')


@pytest.fixture(scope='module')
def mmengine_checkpoint(tmp_path_factory):
    """A real checkpoint of an MMEngine Runner: message hub with log
    buffers, numpy metric values from validation, a best checkpoint and the
    one-cycle scheduler (whose state holds a function)."""
    tmp = tmp_path_factory.mktemp('mmengine_ckpt')
    cfg = Config.fromfile(
        write_toy_cfg(
            tmp / 'cfg.py',
            max_epochs=1,
            val_interval=1,
            extra='''
val_dataloader = test_dataloader
val_evaluator = test_evaluator
val_cfg = dict(type='ValLoop')
param_scheduler = [dict(type='OneCycleLR', eta_max=0.01, total_steps=4,
                        by_epoch=False)]
default_hooks = dict(checkpoint=dict(save_best='sot/AO', rule='greater'))
'''))
    cfg.work_dir = str(tmp / 'work')
    cfg.experiment_name = 'safe_ckpt_fixture'
    Runner.from_cfg(cfg).train()
    return str(tmp / 'work' / 'epoch_1.pth')


def test_loader_installed_for_local_paths():
    loader = CheckpointLoader._get_checkpoint_loader
    assert loader('/some/where/epoch_1.pth') is load_from_local_weights_only
    assert loader('work_dirs/x/epoch_1.pth') is load_from_local_weights_only
    assert loader('https://host/x.pth').__name__ == 'load_from_http'


def test_allowlist_covers_a_real_mmengine_checkpoint(mmengine_checkpoint):
    # what torch alone refuses is exactly covered by the allowlist
    unsafe = set(
        torch.serialization.get_unsafe_globals_in_checkpoint(
            mmengine_checkpoint))
    assert 'mmengine.logging.history_buffer.HistoryBuffer' in unsafe
    assert 'builtins.getattr' in unsafe
    assert unsafe <= set(MMENGINE_CHECKPOINT_GLOBALS)
    assert find_unsafe_globals(mmengine_checkpoint) == []
    with pytest.raises(pickle.UnpicklingError):
        torch.load(mmengine_checkpoint, weights_only=True)


@pytest.mark.parametrize('use_weights_only', PATHS)
def test_safe_load_of_real_checkpoint(mmengine_checkpoint, use_weights_only):
    ckpt = safe_torch_load(
        mmengine_checkpoint, 'cpu', use_weights_only=use_weights_only)
    hub = ckpt['message_hub']
    assert isinstance(hub['log_scalars']['train/loss'], HistoryBuffer)
    assert isinstance(hub['log_scalars']['val/sot/AO'], HistoryBuffer)
    assert hub['log_scalars']['train/loss'].statistics('mean') > 0
    sched = ckpt['param_schedulers'][0]
    assert sched['anneal_func'] is OneCycleParamScheduler._annealing_cos
    assert sched['anneal_func'](0., 1., 0.5) == pytest.approx(0.5)
    assert set(ckpt['state_dict']) == {'linear.weight', 'linear.bias'}
    assert ckpt['meta']['epoch'] == 1


def test_legacy_format_checkpoint(mmengine_checkpoint, tmp_path):
    legacy = tmp_path / 'legacy.pth'
    ckpt = safe_torch_load(mmengine_checkpoint)
    torch.save(ckpt, legacy, _use_new_zipfile_serialization=False)
    for use_weights_only in (True, False):
        again = safe_torch_load(str(legacy), use_weights_only=use_weights_only)
        assert again['meta']['epoch'] == 1


def test_runner_resume_with_weights_only(mmengine_checkpoint, tmp_path):
    cfg = Config.fromfile(write_toy_cfg(tmp_path / 'cfg.py', max_epochs=2))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.experiment_name = 'safe_ckpt_resume'
    cfg.default_hooks.checkpoint = None
    cfg.resume = True
    cfg.load_from = mmengine_checkpoint
    cfg.param_scheduler = [
        dict(type='OneCycleLR', eta_max=0.01, total_steps=8, by_epoch=False)
    ]
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert (runner.epoch, runner.iter) == (2, 8)


def _save_evil(path, marker, legacy=False):
    torch.save(
        dict(state_dict=ToyEngineModel().state_dict(), meta=_Evil(marker)),
        path,
        _use_new_zipfile_serialization=not legacy)
    return str(path)


@pytest.mark.parametrize('legacy', [False, True], ids=['zip', 'legacy'])
@pytest.mark.parametrize('use_weights_only', PATHS)
def test_malicious_checkpoint_refused(tmp_path, use_weights_only, legacy):
    marker = tmp_path / 'PWNED'
    path = _save_evil(tmp_path / 'evil.pth', marker, legacy=legacy)
    system = f'{os.system.__module__}.system'  # posix.system / nt.system
    assert find_unsafe_globals(path) == [system]
    with pytest.raises(UnsafeCheckpointError) as info:
        safe_torch_load(path, use_weights_only=use_weights_only)
    msg = str(info.value)
    assert path in msg and system in msg
    assert TRUSTED_CHECKPOINTS_ENV in msg and '--trust-checkpoint' in msg
    assert not marker.exists()


def test_malicious_checkpoint_refused_through_mmengine(tmp_path):
    marker = tmp_path / 'PWNED'
    path = _save_evil(tmp_path / 'evil.pth', marker)
    with pytest.raises(UnsafeCheckpointError, match='posix.system|nt.system'):
        load_checkpoint(ToyEngineModel(), path, map_location='cpu')
    assert not marker.exists()


def test_trusted_checkpoint_is_a_full_pickle(tmp_path, monkeypatch):
    """Explicit trust loads with weights_only=False: the file's code runs,
    which is why trust must be explicit."""
    marker = tmp_path / 'PWNED'
    path = _save_evil(tmp_path / 'evil.pth', marker)
    other = tmp_path / 'other.pth'
    monkeypatch.setenv(TRUSTED_CHECKPOINTS_ENV,
                       os.pathsep.join([str(other), path]))
    assert is_trusted_checkpoint(path)
    ckpt = load_checkpoint(ToyEngineModel(), path, map_location='cpu')
    assert ckpt['meta'] == 0  # os.system's exit status
    assert marker.exists()


def test_trust_checkpoint_is_per_file(tmp_path):
    a, b = tmp_path / 'a.pth', tmp_path / 'b.pth'
    assert not is_trusted_checkpoint(str(a))
    trust_checkpoint(str(a))
    trust_checkpoint(osp.join(str(tmp_path), '.', 'a.pth'))
    assert is_trusted_checkpoint(str(a)) and not is_trusted_checkpoint(str(b))
    assert os.environ[TRUSTED_CHECKPOINTS_ENV] == osp.realpath(a)


@pytest.mark.parametrize('use_weights_only', PATHS)
def test_getattr_is_restricted(tmp_path, use_weights_only):
    path = str(tmp_path / 'sneaky.pth')
    torch.save(dict(meta=_SneakyGetattr()), path)
    methods = dict(HistoryBuffer._statistics_methods)
    with pytest.raises(UnsafeCheckpointError, match='register_statistics'):
        safe_torch_load(path, use_weights_only=use_weights_only)
    assert HistoryBuffer._statistics_methods == methods


def test_numpy_values_round_trip(tmp_path):
    path = str(tmp_path / 'np.pth')
    value = dict(
        a=np.float64(0.5), b=np.int64(3), c=np.arange(3, dtype=np.float32),
        d=np.array(['x', 'yz']), e=np.bool_(True))
    torch.save(dict(meta=value), path)
    for use_weights_only in (True, False):
        meta = safe_torch_load(path, use_weights_only=use_weights_only)['meta']
        assert meta['a'] == 0.5 and meta['b'] == 3 and meta['e']
        assert meta['c'].dtype == np.float32 and list(meta['d']) == ['x', 'yz']
