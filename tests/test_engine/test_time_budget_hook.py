"""TimeBudgetHook: epochs and schedules fitted to a wall-clock budget."""
import pytest
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmtrack_ext.engine.hooks import time_budget_hook
from mmtrack_ext.engine.hooks.time_budget_hook import TimeBudgetHook
from test_engine_runner import ToyEngineDataset, ToyEngineModel


class FakeClock:
    """``perf_counter`` that advances ``seconds_per_iter`` per iteration."""

    def __init__(self):
        self.now = 100.0

    def perf_counter(self):
        return self.now


class TickHook(Hook):

    def __init__(self, clock, seconds_per_iter):
        self.clock, self.step = clock, seconds_per_iter

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.clock.now += self.step


@pytest.mark.parametrize('first_guess', [2, 20])
def test_training_fits_the_budget_and_anneals(tmp_path, monkeypatch,
                                              first_guess):
    clock = FakeClock()
    monkeypatch.setattr(time_budget_hook, 'time', clock)
    # 4 iterations of 1 s per epoch, a 30 s budget: 7 or 8 epochs
    runner = Runner(
        model=ToyEngineModel(),
        work_dir=str(tmp_path),
        train_dataloader=dict(
            batch_size=2, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=True),
            dataset=ToyEngineDataset(length=8)),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        param_scheduler=[
            dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
                 end=2),
            dict(type='CosineAnnealingLR', T_max=first_guess, eta_min=1e-3,
                 by_epoch=True, begin=0, end=first_guess,
                 convert_to_iter_based=True),
        ],
        train_cfg=dict(by_epoch=True, max_epochs=first_guess),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook',
                                           interval=100)),
        custom_hooks=[TimeBudgetHook(minutes=0.5),
                      TickHook(clock, seconds_per_iter=1.0)],
        default_scope='mmtrack_ext')
    runner.train()
    assert runner.epoch in (7, 8)
    assert runner.train_loop.max_epochs == runner.epoch
    assert abs(clock.now - 100 - 30) <= 2
    cosine = runner.param_schedulers[1]
    assert cosine.end == cosine.T_max == runner.epoch * 4
    lr = runner.optim_wrapper.get_lr()['lr'][0]
    assert lr == pytest.approx(1e-3, abs=2e-3)


def test_needs_a_positive_budget():
    with pytest.raises(ValueError, match='minutes'):
        TimeBudgetHook(minutes=0)
