from .inference import init_tracker, track_video
from .vot import run_vot_multistart, track_fragment

__all__ = ['init_tracker', 'track_video', 'run_vot_multistart',
           'track_fragment']
