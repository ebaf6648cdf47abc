"""Success / precision plots of several trackers (PNG, matplotlib Agg).

The curves and the legend scores come from a protocol's output
(:func:`~mmtrack_ext.evaluation.evaluate_sequences` or the reports of
:func:`~mmtrack_ext.evaluation.evaluate_raw_results` with
``return_curves=True``): the legend shows exactly the protocol's metric
(``AO`` for ``got10k``, ``AUC`` / ``P`` / ``P_norm`` for the OPE
protocols), x100 with two decimals, trackers sorted by it.
"""
import os
import os.path as osp
import re
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

__all__ = ['CurvePlot', 'CURVE_PLOTS', 'plot_curve', 'plot_tracker_curves',
           'legend_scores']


@dataclass(frozen=True)
class CurvePlot:
    """One kind of plot.

    Attributes:
        name: key of the curve in the protocol's ``curves``.
        threshold_keys: keys of its thresholds (the first present is used).
        score_keys: metric shown in the legend (the first present in
            ``overall``).
        xlabel, ylabel, title: axis labels and title.
    """
    name: str
    threshold_keys: Tuple[str, ...]
    score_keys: Tuple[str, ...]
    xlabel: str
    ylabel: str
    title: str


CURVE_PLOTS = (
    CurvePlot('success', ('overlap_thresholds', 'thresholds'), ('AUC', 'AO'),
              'Overlap threshold', 'Success rate', 'Success plot'),
    CurvePlot('precision', ('center_thresholds', ), ('P', ),
              'Location error threshold (pixels)', 'Precision',
              'Precision plot'),
    CurvePlot('norm_precision', ('norm_center_thresholds', ), ('P_norm', ),
              'Normalised location error threshold', 'Normalised precision',
              'Normalised precision plot'),
)

_LEGEND = re.compile(r'\[([0-9.]+)\]$')


def plot_curve(path: str,
               series: Sequence[Tuple[str, Sequence[float], Sequence[float],
                                      float]],
               title: str = '',
               xlabel: str = '',
               ylabel: str = '',
               score_name: str = '') -> List[str]:
    """Draw curves ``(label, x, y, score)`` into a PNG at ``path``.

    The legend reads ``{label} [{100 * score:.2f}]``, highest score first.

    Returns:
        list of str: the legend texts, read back from the figure.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(6, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ordered = sorted(series, key=lambda s: -np.nan_to_num(s[3], nan=-1))
    for label, x, y, score in ordered:
        ax.plot(np.asarray(x, float), np.asarray(y, float), linewidth=2,
                label=f'{label} [{100 * float(score):.2f}]')
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title + (f' ({score_name} in legend)' if score_name else ''))
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    legend = ax.legend(loc='best', fontsize=8)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.savefig(path, format='png')
    return [t.get_text() for t in legend.get_texts()]


def legend_scores(labels: Sequence[str]) -> Dict[str, float]:
    """``{label: score x100}`` parsed from :func:`plot_curve` legend texts."""
    out = {}
    for text in labels:
        m = _LEGEND.search(text)
        if m is not None:
            out[text[:m.start()].rstrip()] = float(m.group(1))
    return out


def plot_tracker_curves(reports: Mapping[str, Mapping],
                        out_prefix: str,
                        title: str = '',
                        plots: Sequence[CurvePlot] = CURVE_PLOTS
                        ) -> Dict[str, dict]:
    """Plot every curve kind the trackers' reports carry.

    Args:
        reports: ``{tracker: {'overall': {...}, 'curves': {...}}}`` (the
            protocol's output or an entry of ``per_attribute``).
        out_prefix: files are ``{out_prefix}_{plot}.png``.
        title: prefix of the plot titles (e.g. ``'OTB100 ostrack'``).
        plots: kinds of plots to try.

    Returns:
        ``{plot: {'file', 'metric', 'legend': [texts], 'scores': {tracker:
        metric}}}`` for the plots drawn (a kind is skipped when a tracker
        lacks its curve or metric).
    """
    drawn = {}
    for plot in plots:
        series = []
        metrics = set()
        for tracker, rep in reports.items():
            found = _series(plot, tracker, rep)
            if found is None:
                break
            series.append(found[0])
            metrics.add(found[1])
        if not series or len(series) != len(reports) or len(metrics) != 1:
            continue
        metric = metrics.pop()
        path = f'{out_prefix}_{plot.name}.png'
        legend = plot_curve(path, series, f'{title} {plot.title}'.strip(),
                            plot.xlabel, plot.ylabel, metric)
        drawn[plot.name] = dict(
            file=path, metric=metric, legend=legend,
            scores={s[0]: s[3] for s in series})
    return drawn


def _series(plot: CurvePlot, tracker: str, report: Mapping
            ) -> Optional[Tuple[tuple, str]]:
    """``((tracker, x, y, score), metric)`` of one report, or ``None``
    when it lacks the curve, its thresholds or the metric."""
    curves = report.get('curves') or {}
    overall = report.get('overall') or {}
    thr = next((curves[k] for k in plot.threshold_keys if k in curves), None)
    metric = next((k for k in plot.score_keys if k in overall), None)
    if plot.name not in curves or thr is None or metric is None:
        return None
    return (tracker, thr, curves[plot.name], float(overall[metric])), metric
