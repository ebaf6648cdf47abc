from .depthwise_correlation import DepthwiseCorrelation
from .layerwise_correlation import LayerwiseCorrelation

__all__ = ['DepthwiseCorrelation', 'LayerwiseCorrelation']
