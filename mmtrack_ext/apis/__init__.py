from .inference import init_tracker, track_video, video_frames
from .vot import run_vot_multistart, track_fragment

__all__ = ['init_tracker', 'track_video', 'video_frames',
           'run_vot_multistart', 'track_fragment']
