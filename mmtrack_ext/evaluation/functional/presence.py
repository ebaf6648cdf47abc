"""Does the tracker's confidence say whether the target is there?

Two views of the per-frame confidence a tracker writes beside its boxes
(``{seq}/{seq}_001_confidence.value``):

* ``presence_AUC``: the ROC AUC of the confidence as a detector of the
  target's presence, over all tracked frames (frame 0 excluded) pooled over
  the sequences; a frame is *absent* where ``absent == 1``, ``cover == 0``
  or ``target_visible`` is False. It is the probability that a random
  present frame gets a higher confidence than a random absent one (ties
  count one half), computed from ranks (Mann-Whitney U). NaN when one class
  has no frames.
* The long-term tracking precision / recall / F-score of the VOT long-term
  challenges (Lukezic et al., "Performance evaluation methodology for
  long-term single-object tracking", 2020), as the VOT toolkit computes
  them: thresholds from the pooled confidences (``resolution`` of them,
  plus +-inf); per sequence, at threshold ``t``, precision = mean IoU of
  the frames with confidence ``>= t`` (1 when there is none) and recall =
  sum of those IoUs / number of frames where the target is present (the
  IoU of a frame whose target is absent is 0); both averaged over the
  sequences; ``F = 2 Pr Re / (Pr + Re)``; reported at the threshold with
  the largest F (``LT_F``, ``LT_Pr``, ``LT_Re``). Differences from the
  toolkit: frame 0 is excluded (it is the initialisation), IoUs are the
  continuous ones of :func:`~.box_metrics.iou_got10k` bounded to the image
  when ``resolution`` is given.

Input per sequence: ``pred``, ``gt`` (``(N, 4)`` xywh), ``score``
``(N,)`` (NaN where unknown) and at least one of ``absent``, ``cover``,
``target_visible`` (see :mod:`.protocols`).
"""
import math
from typing import Mapping

import numpy as np

from .box_metrics import iou_got10k
from .protocols import as_boxes, as_flags, check_sequences, register_protocol

__all__ = ['PRESENCE_KEYS', 'presence_labels', 'roc_auc', 'lt_thresholds',
           'evaluate_presence']

PRESENCE_KEYS = ('presence_AUC', 'LT_F', 'LT_Pr', 'LT_Re')


def presence_labels(seq: Mapping, length: int, name: str = '?') -> np.ndarray:
    """``(N,)`` bool: the target is present (not absent, not fully covered,
    visible where each is known)."""
    absent = as_flags(seq.get('absent'), name, 'absent', length, -1)
    cover = as_flags(seq.get('cover'), name, 'cover', length, -1)
    visible = seq.get('target_visible')
    present = (np.asarray(absent) != 1) & (np.asarray(cover) != 0)
    if visible is not None:
        present &= as_flags(visible, name, 'target_visible', length,
                            True).astype(bool)
    return present


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve of ``scores`` for the bool labels
    ``positive`` (ties count one half); NaN when a class is empty."""
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    positive = np.asarray(positive, dtype=bool).reshape(-1)
    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return math.nan
    order = np.argsort(scores, kind='mergesort')
    sorted_scores = scores[order]
    ranks = np.empty(scores.size, dtype=np.float64)
    # average ranks (1-based) over runs of equal scores
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[
        :-1]])
    ends = np.r_[starts[1:], scores.size]
    run_rank = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(run_rank, ends - starts)
    u = ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def lt_thresholds(scores: np.ndarray, resolution: int = 100) -> np.ndarray:
    """The VOT toolkit's confidence thresholds: ``resolution - 2`` values
    spread over the sorted (descending) finite scores, with ``+inf`` first
    and ``-inf`` last (all the scores when there are few)."""
    scores = np.sort(np.asarray(scores, np.float64)[np.isfinite(scores)])
    scores = scores[::-1]
    if len(scores) > resolution - 2:
        delta = len(scores) // (resolution - 2)
        idx = np.round(np.linspace(delta, len(scores) - delta,
                                   resolution - 2)).astype(np.int64)
        scores = scores[idx]
    return np.concatenate([[np.inf], scores, [-np.inf]])


@register_protocol(
    'presence',
    PRESENCE_KEYS,
    description='confidence vs presence: ROC AUC over frames, and the VOT '
    'long-term tracking precision / recall / F-score')
def evaluate_presence(sequences: Mapping[str, Mapping],
                      resolution: int = 100) -> dict:
    """Presence ROC AUC and long-term Pr / Re / F of ``{name: {'pred',
    'gt', 'score', 'absent' | 'cover' | 'target_visible'[,
    'resolution']}}`` (see the module docstring).

    Returns:
        ``{'overall': {'presence_AUC', 'LT_F', 'LT_Pr', 'LT_Re',
        'num_frames', 'num_absent'}, 'per_sequence': {name:
        {'presence_AUC', 'num_absent'}}, 'curves': {'thresholds',
        'precision', 'recall', 'f_score'}}``.
    """
    check_sequences(sequences)
    all_scores, all_present, per_seq = [], [], {}
    items = []
    for name, seq in sequences.items():
        gt = as_boxes(seq.get('gt'), name, 'gt')
        pred = as_boxes(seq.get('pred'), name, 'pred')
        if pred.shape != gt.shape:
            raise ValueError(f'sequence {name!r}: pred has {len(pred)} '
                             f'frames, gt {len(gt)}')
        if seq.get('score') is None:
            raise ValueError(
                f'sequence {name!r}: the presence protocol needs per-frame '
                "confidences ('score'; the files "
                '{seq}/{seq}_001_confidence.value)')
        score = as_flags(seq['score'], name, 'score', len(gt),
                         np.nan).astype(np.float64)
        present = presence_labels(seq, len(gt), name)
        res = seq.get('resolution')
        iou = iou_got10k(pred, gt, bound=res)
        iou = np.where(present, np.nan_to_num(iou), 0.0)
        score, present, iou = score[1:], present[1:], iou[1:]
        known = np.isfinite(score)
        if not known.all():
            raise ValueError(
                f'sequence {name!r}: no confidence for frames '
                f'{(np.flatnonzero(~known) + 1)[:20].tolist()}')
        all_scores.append(score)
        all_present.append(present)
        items.append((score, present, iou))
        per_seq[name] = dict(presence_AUC=roc_auc(score, present),
                             num_absent=int((~present).sum()))
    scores = np.concatenate(all_scores) if all_scores else np.zeros(0)
    present = np.concatenate(all_present) if all_present else np.zeros(
        0, bool)
    thresholds = lt_thresholds(scores, resolution)
    precision = np.zeros(len(thresholds))
    recall = np.zeros(len(thresholds))
    for score, seq_present, iou in items:
        above = score[None, :] >= thresholds[:, None]  # (T, N)
        count = above.sum(1)
        total = (above * iou[None]).sum(1)
        n_visible = max(int(seq_present.sum()), 1)
        precision += np.where(count > 0, total / np.maximum(count, 1), 1.0)
        recall += total / n_visible
    n = max(len(items), 1)
    precision, recall = precision / n, recall / n
    with np.errstate(invalid='ignore', divide='ignore'):
        f_score = np.nan_to_num(2 * precision * recall /
                                (precision + recall))
    best = int(np.argmax(f_score))
    overall = dict(
        presence_AUC=roc_auc(scores, present),
        LT_F=float(f_score[best]),
        LT_Pr=float(precision[best]),
        LT_Re=float(recall[best]),
        num_frames=int(scores.size),
        num_absent=int((~present).sum()))
    return dict(
        overall=overall,
        per_sequence=per_seq,
        curves=dict(thresholds=thresholds, precision=precision,
                    recall=recall, f_score=f_score))
