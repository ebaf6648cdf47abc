"""Hooks of mmtrack_ext (none of its own yet: the configs use MMEngine's
``IterTimerHook``, ``LoggerHook``, ``ParamSchedulerHook``, ``CheckpointHook``
and ``DistSamplerSeedHook``, found through the parent registry)."""

__all__ = []
