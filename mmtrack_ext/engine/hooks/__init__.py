"""Hooks of mmtrack_ext (the configs also use MMEngine's ``IterTimerHook``,
``LoggerHook``, ``ParamSchedulerHook``, ``CheckpointHook`` and
``DistSamplerSeedHook``, found through the parent registry)."""
from .time_budget_hook import TimeBudgetHook

__all__ = ['TimeBudgetHook']
