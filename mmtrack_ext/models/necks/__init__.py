from .depthwise_correlation import DepthwiseCorrelation, depthwise_xcorr
from .layerwise_correlation import LayerwiseCorrelation
from .multilevel_correlation import MultiLevelDepthwiseCorrelation, center_crop
from .transt_fusion import TransTFeatureFusion, sine_position_embedding

__all__ = [
    'DepthwiseCorrelation', 'depthwise_xcorr', 'LayerwiseCorrelation',
    'MultiLevelDepthwiseCorrelation', 'center_crop', 'TransTFeatureFusion',
    'sine_position_embedding'
]
