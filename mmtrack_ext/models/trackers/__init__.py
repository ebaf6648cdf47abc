from .base_sot_tracker import BaseSOTTracker, TrackingState
from .one_stream_tracker import OneStreamTracker
from .siamese_tracker import SiameseTracker

__all__ = [
    'BaseSOTTracker', 'TrackingState', 'OneStreamTracker', 'SiameseTracker'
]
