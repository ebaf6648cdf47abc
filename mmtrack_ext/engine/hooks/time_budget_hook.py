"""Fit an epoch-based training run into a wall-clock budget."""
import math
import time
from typing import List, Optional

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import EpochBasedTrainLoop

from mmtrack_ext.registry import HOOKS

__all__ = ['TimeBudgetHook']


@HOOKS.register_module()
class TimeBudgetHook(Hook):
    """Adjust ``max_epochs`` during training so it ends after ``minutes``.

    After every training epoch the hook takes the wall-clock time of that
    epoch (iterations, hooks and checkpointing included) as the cost of the
    next ones and sets the number of epochs to what fits in the rest of the
    budget. Parameter schedulers that ran to the end of training are
    stretched or shrunk with it (their ``end``, and ``T_max`` of cosine
    schedulers), so the learning rate still anneals fully: a cosine schedule
    continues from its current value towards ``eta_min`` at the new end.

    Meant for fixed-time runs on machines whose speed is not known in
    advance (the CPU quickstart); start from a reasonable estimate of
    ``max_epochs`` and the hook corrects it. The budget counts from
    ``before_train`` of this process (on ``--resume`` it applies to the
    resumed part).

    Args:
        minutes: training time budget in minutes.
        min_epochs: never train fewer epochs than this.
    """

    priority = 'LOW'  # before the checkpoint hook of the same epoch

    def __init__(self, minutes: float, min_epochs: int = 1):
        if minutes <= 0:
            raise ValueError(f'minutes must be > 0, got {minutes}')
        self.budget = float(minutes) * 60
        self.min_epochs = int(min_epochs)
        self._start: Optional[float] = None
        self._last: Optional[float] = None

    def before_train(self, runner) -> None:
        if not isinstance(runner.train_loop, EpochBasedTrainLoop):
            raise TypeError(f'{type(self).__name__} needs an '
                            'EpochBasedTrainLoop, got '
                            f'{type(runner.train_loop).__name__}')
        self._start = self._last = time.perf_counter()

    def after_train_epoch(self, runner) -> None:
        now = time.perf_counter()
        epoch_time, self._last = now - self._last, now
        loop = runner.train_loop
        done = runner.epoch + 1  # the loop counts the epoch after the hooks
        remaining = self.budget - (now - self._start)
        more = max(int(math.floor(remaining / epoch_time + 0.5)), 0)
        new_max = max(done + more, self.min_epochs)
        if new_max == loop.max_epochs:
            return
        iters_per_epoch = len(loop.dataloader)
        old_max = loop.max_epochs
        for scheduler in self._schedulers(runner):
            old_end, new_end = (old_max, new_max) if scheduler.by_epoch \
                else (old_max * iters_per_epoch, new_max * iters_per_epoch)
            if scheduler.end != old_end:
                continue
            scheduler.end = new_end
            if hasattr(scheduler, 'T_max'):
                scheduler.T_max = new_end - scheduler.begin
        loop._max_epochs = new_max
        loop._max_iters = new_max * iters_per_epoch
        print_log(
            f'{type(self).__name__}: epoch took {epoch_time:.1f} s, '
            f'{max(remaining, 0):.0f} s of {self.budget:.0f} s left: '
            f'max_epochs {old_max} -> {new_max}', logger='current')

    @staticmethod
    def _schedulers(runner) -> List:
        schedulers = runner.param_schedulers or []
        if isinstance(schedulers, dict):
            return [s for group in schedulers.values() for s in group]
        return list(schedulers)
