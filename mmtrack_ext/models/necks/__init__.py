from .depthwise_correlation import DepthwiseCorrelation

__all__ = ['DepthwiseCorrelation']
