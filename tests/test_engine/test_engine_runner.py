"""The engine layer and the train/test tools with a toy model and dataset.

The toy components are defined here and registered into the registries of
mmtrack_ext; the subprocesses (``tools/train.py``, ``tools/dist_train.sh``,
...) import this module through ``custom_imports`` of the toy configs, with
``tests/test_engine`` on ``PYTHONPATH``. At module level this file imports
only ``mmtrack_ext.registry`` (never ``mmtrack_ext.engine``), so the
subprocesses prove that the registries alone bring in the engine.
"""
import importlib.util
import json
import os
import os.path as osp
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.evaluator import BaseMetric
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from torch.utils.data import Dataset

from mmtrack_ext.registry import DATASETS, HOOKS, METRICS, MODELS

HERE = osp.dirname(osp.abspath(__file__))
ROOT = osp.dirname(osp.dirname(HERE))
RUNTIME_CFG = osp.join(ROOT, 'configs', '_base_', 'default_runtime.py')
EPOCH_LINE = re.compile(r'Epoch\(train\)\s*\[(\d+)\]\[\s*(\d+)/(\d+)\]')


# --------------------------------------------------------- toy components
@MODELS.register_module(name='_ToyEngineModel', force=True)
class ToyEngineModel(BaseModel):
    """``y = w x + b`` with an L2 loss; ``sleep`` seconds per training step
    make epochs long enough to interrupt."""

    def __init__(self, sleep: float = 0.0, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.linear = nn.Linear(4, 1)
        self.sleep = sleep
        self.last_dtype = None

    def forward(self, inputs, data_samples=None, mode='tensor'):
        x = torch.stack(inputs) if isinstance(inputs, (list, tuple)) \
            else inputs
        out = self.linear(x.float())
        self.last_dtype = out.dtype
        if mode == 'loss':
            if self.sleep:
                time.sleep(self.sleep)
            target = torch.stack(data_samples).to(out)
            return dict(loss=((out - target)**2).mean())
        if mode == 'predict':
            return [dict(pred=float(v)) for v in out.flatten()]
        return out


@DATASETS.register_module(name='_ToyEngineDataset', force=True)
class ToyEngineDataset(Dataset):
    """``length`` fixed random samples ``x`` (4,) with target ``x.sum()``."""

    def __init__(self, length: int = 8):
        g = torch.Generator().manual_seed(0)
        self.x = torch.randn(length, 4, generator=g)

    @property
    def metainfo(self):
        return dict(dataset_name='toy', scale=np.float32(1.0))

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        return dict(inputs=self.x[idx], data_samples=self.x[idx].sum(0,
                                                                     True))


@METRICS.register_module(name='_ToyEngineMetric', force=True)
class ToyEngineMetric(BaseMetric):
    """Fixed SOT-like metrics (numpy values, as real metrics return)."""
    default_prefix = 'sot'

    def process(self, data_batch, data_samples):
        self.results.extend(data_samples)

    def compute_metrics(self, results):
        return dict(
            AO=np.float64(0.625), SR50=np.float64(0.75),
            num=np.int64(len(results)))


@HOOKS.register_module(name='_ToyEngineReportHook', force=True)
class ToyEngineReportHook(Hook):
    """Logs the model wrapper, the process group and the optim wrapper."""

    def before_train(self, runner):
        import torch.distributed as dist
        backend = dist.get_backend() if dist.is_initialized() else 'none'
        world = dist.get_world_size() if dist.is_initialized() else 1
        runner.logger.info(
            f'TOY_REPORT wrapper={type(runner.model).__name__} '
            f'backend={backend} world_size={world} '
            f'optim_wrapper={type(runner.optim_wrapper).__name__}')


# ----------------------------------------------------------------- helpers
def write_toy_cfg(path, max_epochs=1, sleep=0.0, val_interval=1000,
                  extra=''):
    """A toy config inheriting the real default runtime."""
    text = f'''
_base_ = [{RUNTIME_CFG!r}]
custom_imports = dict(imports=['test_engine_runner'],
                      allow_failed_imports=False)
model = dict(type='_ToyEngineModel', sleep={sleep})
train_dataloader = dict(
    batch_size=2, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='_ToyEngineDataset', length=8))
test_dataloader = dict(
    batch_size=2, num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='_ToyEngineDataset', length=6))
test_evaluator = dict(type='_ToyEngineMetric')
test_cfg = dict(type='TestLoop')
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs={max_epochs},
                 val_interval={val_interval})
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
param_scheduler = [dict(type='MultiStepLR', milestones=[2], by_epoch=True)]
default_hooks = dict(
    logger=dict(interval=1), checkpoint=dict(max_keep_ckpts=-1))
log_processor = dict(window_size=1)
{extra}
'''
    with open(path, 'w') as f:
        f.write(text)
    return str(path)


def subprocess_env():
    env = os.environ.copy()
    env['PYTHONPATH'] = os.pathsep.join(
        [HERE, ROOT] + [p for p in [env.get('PYTHONPATH')] if p])
    env['OMP_NUM_THREADS'] = '1'
    env['HF_HUB_OFFLINE'] = '1'
    env.pop('MMTRACK_EXT_TRUSTED_CHECKPOINTS', None)
    return env


def run(cmd, timeout=120, **kwargs):
    proc = subprocess.run(
        cmd,
        cwd=ROOT,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        **kwargs)
    return proc.returncode, proc.stdout


def load_tool(name):
    """Import ``tools/{name}.py`` as a module."""
    spec = importlib.util.spec_from_file_location(
        f'_tools_{name}', osp.join(ROOT, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def epochs_in_log(text):
    """{epoch: set of iteration indices} of the training log lines."""
    out = {}
    for epoch, it, _total in EPOCH_LINE.findall(text):
        out.setdefault(int(epoch), set()).add(int(it))
    return out


# ------------------------------------------------------------------- tests
def test_resume_after_sigkill(tmp_path):
    """Kill training after the first checkpoint, ``--resume``: it goes on at
    the next epoch, every epoch once, loading with weights_only."""
    max_epochs, iters = 4, 4
    cfg = write_toy_cfg(
        tmp_path / 'toy_cfg.py', max_epochs=max_epochs, sleep=0.12)
    work_dir = tmp_path / 'work'
    cmd = [sys.executable, 'tools/train.py', cfg, '--work-dir', str(work_dir)]
    first = subprocess.Popen(
        cmd, cwd=ROOT, env=subprocess_env(), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    last = work_dir / 'last_checkpoint'
    try:
        deadline = time.time() + 90
        while first.poll() is None and not (last.exists()
                                            and last.read_text().strip()):
            assert time.time() < deadline, 'no checkpoint in time'
            time.sleep(0.05)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert first.returncode == -signal.SIGKILL, 'training ended before kill'
    resumed_from = last.read_text().strip()
    k = int(re.search(r'epoch_(\d+)\.pth$', resumed_from).group(1))
    assert k < max_epochs

    rc, out = run(cmd + ['--resume'])
    assert rc == 0, out[-3000:]
    # the checkpoint was read by the weights_only loader, untrusted
    assert 'Loads checkpoint by local_weights_only backend' in out
    assert 'weights_only=False' not in out
    assert f'resumed epoch: {k}, iter: {k * iters}' in out
    seen = epochs_in_log(out)
    assert sorted(seen) == list(range(k + 1, max_epochs + 1)), seen
    assert all(its == set(range(1, iters + 1)) for its in seen.values())

    from mmtrack_ext.engine import safe_torch_load
    final = safe_torch_load(str(work_dir / f'epoch_{max_epochs}.pth'))
    assert final['meta']['epoch'] == max_epochs
    assert final['meta']['iter'] == max_epochs * iters


def test_runner_resume_without_manual_imports(tmp_path):
    """``Runner.from_cfg`` + resume in a fresh interpreter that imports only
    MMEngine: the registries install the weights_only loader."""
    cfg = write_toy_cfg(tmp_path / 'toy_cfg.py', max_epochs=1)
    script = f'''
import sys
from mmengine.config import Config
from mmengine.runner import CheckpointLoader, Runner
cfg = Config.fromfile({cfg!r})
cfg.work_dir = {str(tmp_path / 'work')!r}
assert 'mmtrack_ext.engine' not in sys.modules
Runner.from_cfg(cfg).train()
assert 'mmtrack_ext.engine' in sys.modules
print('LOADER', CheckpointLoader._get_checkpoint_loader('/a/b.pth').__name__)
cfg.train_cfg.max_epochs = 2
cfg.resume = True
cfg.experiment_name = 'resumed'
runner = Runner.from_cfg(cfg)
runner.train()
print('EPOCH', runner.epoch, 'ITER', runner.iter)
'''
    rc, out = run([sys.executable, '-c', script])
    assert rc == 0, out[-3000:]
    assert 'LOADER load_from_local_weights_only' in out
    assert 'resumed epoch: 1, iter: 4' in out
    assert 'EPOCH 2 ITER 8' in out


def test_dist_train_cpu_gloo(tmp_path):
    """``tools/dist_train.sh CONFIG 2`` on CPU: two gloo processes (torchrun)
    with the device-aware DDP wrapper."""
    cfg = write_toy_cfg(
        tmp_path / 'toy_cfg.py',
        max_epochs=1,
        extra="custom_hooks = [dict(type='_ToyEngineReportHook')]")
    work_dir = tmp_path / 'work'
    rc, out = run(['bash', 'tools/dist_train.sh', cfg, '2', '--work-dir',
                   str(work_dir)], timeout=150)
    assert rc == 0, out[-4000:]
    if torch.cuda.is_available():
        pytest.skip('the gloo assertions below are for CPU machines')
    assert ('TOY_REPORT wrapper=DeviceAwareDistributedDataParallel '
            'backend=gloo world_size=2') in out
    assert "backend='gloo'" in out
    # 8 samples, 2 processes, batch 2: 2 iterations per epoch and process
    assert epochs_in_log(out) == {1: {1, 2}}
    assert (work_dir / 'epoch_1.pth').exists()


def test_dist_test_writes_flat_metrics(tmp_path):
    """``tools/dist_test.sh CONFIG CKPT 2``: metrics.json without prefixes
    (fractions kept), predictions dumped with ``--out``."""
    cfg = write_toy_cfg(tmp_path / 'toy_cfg.py')
    ckpt = tmp_path / 'toy.pth'
    model = ToyEngineModel()
    torch.save(
        dict(state_dict=model.state_dict(), meta=dict(seed=np.int64(0))),
        ckpt)
    work_dir = tmp_path / 'work'
    rc, out = run([
        'bash', 'tools/dist_test.sh', cfg,
        str(ckpt), '2', '--work-dir',
        str(work_dir), '--out',
        str(tmp_path / 'preds.pkl')
    ], timeout=150)
    assert rc == 0, out[-4000:]
    with open(work_dir / 'metrics.json') as f:
        metrics = json.load(f)
    assert metrics == dict(AO=0.625, SR50=0.75, num=6)
    assert (tmp_path / 'preds.pkl').exists()


def test_autocast_runner_via_train_amp(tmp_path):
    """``tools/train.py --amp`` on CPU selects AutocastOptimWrapper (bf16),
    and a Runner trains with it."""
    from mmengine.runner import Runner
    train = load_tool('train')
    cfg_path = write_toy_cfg(tmp_path / 'toy_cfg.py', max_epochs=1)
    args = train.parse_args(
        [cfg_path, '--amp', '--work-dir',
         str(tmp_path / 'work')])
    cfg = train.setup_cfg(args)
    if torch.cuda.is_available():
        assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
        assert cfg.optim_wrapper.loss_scale == 'dynamic'
        return
    assert cfg.optim_wrapper.type == 'AutocastOptimWrapper'
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    # exercise bf16 whatever this CPU has (the default trains in fp32 on a
    # CPU without bf16 instructions)
    cfg.optim_wrapper.cpu_native_only = False
    cfg.default_hooks.checkpoint = None
    cfg.experiment_name = 'engine_autocast'
    runner = Runner.from_cfg(cfg)
    before = runner.model.linear.weight.detach().clone()
    runner.train()
    assert type(runner.optim_wrapper).__name__ == 'AutocastOptimWrapper'
    assert runner.model.last_dtype == torch.bfloat16
    assert runner.model.linear.weight.dtype == torch.float32
    assert not torch.equal(before, runner.model.linear.weight)


def test_autocast_optim_wrapper_bf16_step():
    from mmtrack_ext.engine import AutocastOptimWrapper
    torch.manual_seed(0)
    model = nn.Linear(8, 2)
    wrapper = AutocastOptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
        cpu_native_only=False)
    assert wrapper.cast_dtype == torch.bfloat16
    before = model.weight.detach().clone()
    with wrapper.optim_context(model):
        out = model(torch.randn(4, 8))
        assert out.dtype == torch.bfloat16
        loss = out.float().pow(2).mean()
    wrapper.update_params(loss)
    assert model.weight.dtype == torch.float32
    assert not torch.equal(before, model.weight)
    # outside the context: fp32 again
    assert model(torch.randn(1, 8)).dtype == torch.float32


def test_device_aware_ddp_drops_device_ids_on_cpu(monkeypatch):
    from mmengine.model import MMDistributedDataParallel

    from mmtrack_ext.engine import DeviceAwareDistributedDataParallel
    seen = {}

    def fake_init(self, module, detect_anomalous_params=False, **kwargs):
        seen.update(kwargs)

    monkeypatch.setattr(MMDistributedDataParallel, '__init__', fake_init)
    DeviceAwareDistributedDataParallel(
        nn.Linear(2, 2), device_ids=[0], output_device=0,
        broadcast_buffers=False)
    assert seen == dict(broadcast_buffers=False)


def test_custom_imports_outside_package(tmp_path, monkeypatch):
    """A module outside the package, named in ``custom_imports``, registers
    a model that ``Runner.from_cfg`` then builds."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    pkg = tmp_path / 'my_ext'
    pkg.mkdir()
    (pkg / '__init__.py').write_text('')
    (pkg / 'custom_head.py').write_text('''
import torch.nn as nn
from mmengine.model import BaseModel
from mmtrack_ext.registry import MODELS


@MODELS.register_module(name='_ToyEngineCustomHeadModel', force=True)
class ToyCustomHeadModel(BaseModel):
    def __init__(self, channels=3):
        super().__init__()
        self.head = nn.Conv2d(channels, 1, 1)

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return self.head(inputs)
''')
    cfg_path = tmp_path / 'custom_cfg.py'
    cfg_path.write_text(f'''
_base_ = [{RUNTIME_CFG!r}]
custom_imports = dict(imports=['my_ext.custom_head'],
                      allow_failed_imports=False)
model = dict(type='_ToyEngineCustomHeadModel', channels=5)
work_dir = {str(tmp_path / 'work')!r}
experiment_name = 'engine_custom_imports'
''')
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        cfg = Config.fromfile(str(cfg_path))
        runner = Runner.from_cfg(cfg)
        assert type(runner.model).__name__ == 'ToyCustomHeadModel'
        assert runner.model.head.in_channels == 5
    finally:
        for name in [m for m in sys.modules if m.split('.')[0] == 'my_ext']:
            del sys.modules[name]
        MODELS._module_dict.pop('_ToyEngineCustomHeadModel', None)


def test_tools_trust_flag_and_metrics_flattening(tmp_path, monkeypatch):
    from mmtrack_ext.engine import TRUSTED_CHECKPOINTS_ENV
    monkeypatch.setenv(TRUSTED_CHECKPOINTS_ENV, '')
    train = load_tool('train')
    cfg_path = write_toy_cfg(tmp_path / 'toy_cfg.py')
    ckpt = tmp_path / 'some.pth'
    args = train.parse_args([
        cfg_path, '--resume',
        str(ckpt), '--trust-checkpoint', '--work-dir',
        str(tmp_path / 'w')
    ])
    cfg = train.setup_cfg(args)
    assert cfg.resume and cfg.load_from == str(ckpt)
    train.trust_checkpoints(cfg)
    assert os.environ[TRUSTED_CHECKPOINTS_ENV] == osp.realpath(ckpt)

    test = load_tool('test')
    flat = test.flatten_metrics({
        'sot/AO': np.float64(0.5),
        'sot/SR50': 0.25,
        'a/x': 1,
        'b/x': 2,
        'plain': torch.tensor(3)
    })
    assert flat == {'AO': 0.5, 'SR50': 0.25, 'a/x': 1, 'b/x': 2, 'plain': 3}


class _EvilPayload:
    """Unpickling runs a shell command that creates ``marker``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        import shlex
        return (os.system, (f'touch {shlex.quote(self.marker)}', ))


def test_tools_test_refuses_malicious_checkpoint(tmp_path, monkeypatch):
    """``tools/test.py`` refuses a checkpoint that would run code (nothing
    runs); ``--trust-checkpoint`` loads it as a full pickle."""
    cfg = write_toy_cfg(tmp_path / 'toy_cfg.py')
    marker = tmp_path / 'PWNED'
    ckpt = tmp_path / 'evil.pth'
    torch.save(
        dict(
            state_dict=ToyEngineModel().state_dict(),
            meta=_EvilPayload(marker)), ckpt)
    work_dir = tmp_path / 'work'
    rc, out = run([
        sys.executable, 'tools/test.py', cfg,
        str(ckpt), '--work-dir',
        str(work_dir)
    ])
    assert rc != 0
    assert 'UnsafeCheckpointError' in out
    assert f"Refusing to load checkpoint '{ckpt}'" in out
    assert f'{os.system.__module__}.system' in out
    assert '--trust-checkpoint' in out
    assert not marker.exists()
    assert not (work_dir / 'metrics.json').exists()

    # explicit trust (in-process, same code path as the command line)
    from mmtrack_ext.engine import TRUSTED_CHECKPOINTS_ENV
    monkeypatch.setenv(TRUSTED_CHECKPOINTS_ENV, '')
    test = load_tool('test')
    test.main([
        cfg, str(ckpt), '--work-dir',
        str(work_dir), '--trust-checkpoint', '--cfg-options',
        'experiment_name=engine_trusted_test'
    ])
    assert marker.exists()
    with open(work_dir / 'metrics.json') as f:
        assert json.load(f)['AO'] == 0.625


@pytest.mark.parametrize('native', [True, False])
def test_autocast_optim_wrapper_cpu_without_bf16_runs_fp32(
        monkeypatch, native):
    """By default bf16 autocast on a CPU needs bf16 instructions; without
    them the wrapper trains in fp32 (emulated bf16 is ~20x slower)."""
    from mmtrack_ext.engine.optim import autocast_optim_wrapper as module
    monkeypatch.setattr(module, 'cpu_has_native_bf16', lambda: native)
    model = nn.Linear(8, 2)
    wrapper = module.AutocastOptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    with wrapper.optim_context(model):
        out = model(torch.randn(4, 8))
    assert out.dtype == (torch.bfloat16 if native else torch.float32)


def test_test_py_writes_results_under_the_given_work_dir(tmp_path):
    """A config saved in an earlier work dir carries that run's absolute
    ``outfile_prefix``; ``tools/test.py --work-dir D`` writes to D/results
    unless ``--cfg-options`` names the prefix."""
    from mmengine.config import Config
    test = load_tool('test')
    cfg = Config.fromfile(osp.join(
        ROOT, 'configs/onestream/onestream_vit-tiny-p8_center_synthetic.py'))
    old = str(tmp_path / 'old_run' / 'results')
    cfg.test_evaluator.outfile_prefix = old
    saved = str(tmp_path / 'old_run' / 'saved_config.py')
    os.makedirs(osp.dirname(saved))
    cfg.dump(saved)
    new = str(tmp_path / 'new_run')
    args = test.parse_args([saved, 'ckpt.pth', '--work-dir', new])
    assert test.setup_cfg(args).test_evaluator.outfile_prefix == osp.join(
        new, 'results')
    # without --work-dir the config's choice stands
    args = test.parse_args([saved, 'ckpt.pth'])
    assert test.setup_cfg(args).test_evaluator.outfile_prefix == old
    # an explicit prefix wins
    mine = str(tmp_path / 'mine')
    args = test.parse_args([saved, 'ckpt.pth', '--work-dir', new,
                            '--cfg-options',
                            f'test_evaluator.outfile_prefix={mine}'])
    assert test.setup_cfg(args).test_evaluator.outfile_prefix == mine
