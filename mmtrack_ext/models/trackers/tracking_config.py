"""The typed, validated ``test_cfg`` of every tracker."""
import difflib
from dataclasses import dataclass, fields
from typing import Optional, Sequence, Union

__all__ = ['TrackingConfig']

from mmtrack_ext.structures.crop import CROP_MODES as _CROP_MODES


@dataclass
class TrackingConfig:
    """Tracking (inference) settings of a tracker, the model's ``test_cfg``.

    Build it with :meth:`from_dict`: an unknown key (a typo such as
    ``windw``) raises ``KeyError`` listing the valid keys, so no setting is
    ignored silently.

    Attributes:
        template_factor: template crop side in units of the target size.
        template_size: template crop side in px (``None``: the backbone's
            ``template_size``).
        search_factor: search-area side in units of the target size.
        search_size: search-area side in px (``None``: the backbone's).
        crop_mode: ``'sqrt'`` (OSTrack: ``sqrt(w h) * factor``),
            ``'context'`` (SiamFC/pysot/TransT: ``sqrt((w + p)(h + p)) *
            factor``, ``p = context_amount * (w + h)``), ``'non_square'``
            (``factor * w`` by ``factor * h``) or ``'additive'`` (MAT:
            ``sqrt((w + p)(h + p))``, ``p = (factor - 1)(w + h) / 2``); see
            :func:`~mmtrack_ext.structures.crop_window`.
        context_amount: ``p`` of the ``'context'`` mode.
        pad_value: padding of crops outside the frame: a number, a BGR
            triple in px, or ``'mean'`` (the frame's mean colour).
        window: a TASK_UTILS config such as ``dict(type='HanningWindow')``
            applied to the score map before the peak is chosen, or ``None``.
        clip_margin: px of the box kept inside the frame when clipping.
        clip_state: clip the box that becomes the next search centre (True,
            pytracking/OSTrack) or only the reported box (False, MAT; when
            the clipped box is the whole frame, the search restarts at the
            frame centre with the first box's size).
        num_templates: copies of the first template (for backbones trained
            with several).
        size_lr: box size update rate in (0, 1]: below 1 the new size is
            ``prev * (1 - r) + pred * r`` with ``r = size_lr * score``,
            times the chosen box's ``size_penalty`` when there is one
            (SiamRPN/SiamCAR/TransT); the centre is not smoothed.
        min_score: below this confidence the target counts as not found and
            the previous box is kept (pytracking's
            ``target_not_found_threshold``); 0 disables.
        size_penalty: a TASK_UTILS config such as
            ``dict(type='SizeChangePenalty', k=0.04)`` or ``None``; needs a
            head whose outputs have a per-cell ``size`` map.
        redetect: ``None`` or ``dict(score_thr, search_factor,
            search_size)``: after a frame whose confidence is below
            ``score_thr`` the next search area is ``search_factor`` times the
            box at ``search_size`` px (keep ``search_size / search_factor``
            as in the normal area; needs a backbone that accepts other search
            sizes, such as :class:`OneStreamViT`).
        score_source: where the reported confidence comes from: ``'auto'``
            (the score head if the tracker has one, else the head),
            ``'head'`` or ``'score_head'``.
        absence_score: ``None`` or a confidence below which the target is
            reported absent in that frame (``pred_instances.absent``,
            written to ``{video}_001_absence.label``); the box is still
            predicted and written (``min_score`` decides whether it moves).
    """
    template_factor: float = 2.0
    template_size: Optional[int] = None
    search_factor: float = 4.0
    search_size: Optional[int] = None
    crop_mode: str = 'sqrt'
    context_amount: float = 0.5
    pad_value: Union[float, str, Sequence[float]] = 0.
    window: Optional[dict] = None
    clip_margin: float = 10.
    clip_state: bool = True
    num_templates: int = 1
    size_lr: float = 1.
    min_score: float = 0.
    size_penalty: Optional[dict] = None
    redetect: Optional[dict] = None
    score_source: str = 'auto'
    absence_score: Optional[float] = None

    @classmethod
    def from_dict(cls, cfg: Optional[dict],
                  where: str = 'test_cfg') -> 'TrackingConfig':
        """Validated settings from a config dict (``None``: defaults)."""
        cfg = dict(cfg or {})
        valid = [f.name for f in fields(cls)]
        unknown = [k for k in cfg if k not in valid]
        if unknown:
            hints = []
            for key in unknown:
                close = difflib.get_close_matches(key, valid, n=1)
                hints.append(f'{key!r}' +
                             (f' (did you mean {close[0]!r}?)' if close
                              else ''))
            raise KeyError(f'{where}: unknown key(s) {", ".join(hints)}; '
                           f'valid keys: {valid}')
        out = cls(**cfg)
        out.validate(where)
        return out

    def validate(self, where: str = 'test_cfg') -> None:
        if not 0. < self.size_lr <= 1.:
            raise ValueError(
                f'{where}.size_lr must be in (0, 1], got {self.size_lr}')
        if self.crop_mode not in _CROP_MODES:
            raise ValueError(f'{where}.crop_mode must be one of '
                             f'{_CROP_MODES}, got {self.crop_mode!r}')
        if self.score_source not in ('auto', 'head', 'score_head'):
            raise ValueError(f"{where}.score_source must be 'auto', 'head' "
                             f"or 'score_head', got {self.score_source!r}")
        if self.absence_score is not None and not \
                0. <= self.absence_score <= 1.:
            raise ValueError(f'{where}.absence_score must be in [0, 1] or '
                             f'None, got {self.absence_score}')
        if self.num_templates < 1:
            raise ValueError(f'{where}.num_templates must be >= 1')
        if self.redetect:
            keys = {'score_thr', 'search_factor', 'search_size'}
            if set(self.redetect) != keys:
                raise KeyError(f'{where}.redetect needs exactly the keys '
                               f'{sorted(keys)}, got {sorted(self.redetect)}')
