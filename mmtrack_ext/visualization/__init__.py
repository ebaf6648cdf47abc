from .draw import draw_box, write_tracking_video

__all__ = ['draw_box', 'write_tracking_video']
