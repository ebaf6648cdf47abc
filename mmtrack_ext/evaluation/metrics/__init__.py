"""MMEngine metrics of mmtrack_ext."""
from .sot_metric import SOTMetric, strip_metric_prefix

__all__ = ['SOTMetric', 'strip_metric_prefix']
