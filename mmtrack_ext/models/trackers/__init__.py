from .base_sot_tracker import (BaseSOTTracker, TrackingState,
                               template_boxes_from_samples)
from .one_stream_tracker import OneStreamTracker
from .siamese_tracker import SiameseTracker
from .tracking_config import TrackingConfig

__all__ = [
    'BaseSOTTracker', 'TrackingState', 'template_boxes_from_samples',
    'OneStreamTracker', 'SiameseTracker', 'TrackingConfig'
]
