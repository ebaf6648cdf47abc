from .inference import init_tracker, track_video

__all__ = ['init_tracker', 'track_video']
