from .curves import (CURVE_PLOTS, CurvePlot, legend_scores, plot_curve,
                     plot_tracker_curves)
from .draw import draw_box, write_tracking_video

__all__ = [
    'draw_box', 'write_tracking_video', 'CURVE_PLOTS', 'CurvePlot',
    'legend_scores', 'plot_curve', 'plot_tracker_curves'
]
