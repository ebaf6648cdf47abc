"""Choice of the template and search frames of a training sample."""
from typing import List, NamedTuple, Optional

import numpy as np

from mmtrack_ext.registry import TASK_UTILS

__all__ = ['FrameSample', 'FrameSampler']


class FrameSample(NamedTuple):
    """Frames chosen in one video.

    Attributes:
        template_ids: 0-based frame indices of the ``T`` templates.
        search_id: 0-based index of the search frame in the same video, or
            ``None`` for a negative pair whose search frame must come from
            another video (no frame of this video lacks the target).
        label: 1 positive pair (target visible in the search frame), 0
            negative pair.
    """
    template_ids: List[int]
    search_id: Optional[int]
    label: int


@TASK_UTILS.register_module()
class FrameSampler:
    """Template/search frame sampler of the pytracking family.

    Modes (``visible`` is the per-frame visibility of the target):

    - ``'causal'`` (OSTrack): a visible *base* frame is the last template;
      the other ``num_templates - 1`` templates are visible frames in
      ``[base - max_gap, base)``; the search frame is visible in
      ``(base, base + max_gap]``. When no frame fits, the gap grows by
      ``gap_increase`` and another base is drawn. Templates are returned in
      time order (the earliest first, the base last).
    - ``'trident'`` (STARK/MixFormer): the first template and the search
      frame are visible frames anywhere in the video (any order); every
      extra (online) template is a visible frame within ``max_gap`` of the
      search frame (not the search frame itself) on the side of the first
      template.
    - ``'trident_pro'``: like ``'trident'`` but extra templates may be
      frames where the target is invisible.
    - ``'symmetric'`` (MAT): the template is a visible frame anywhere in the
      video; the search frame (and any extra template) a visible frame
      within ``max_gap`` of it on either side, the template's own frame
      included (MAT pre-training: ``max_gap=9999``, i.e. anywhere; tracker
      training: 200).

    Negative pairs (STARK ``getitem_cls``): with probability
    ``1 - positive_ratio`` the sample gets label 0; its templates are drawn
    as for a positive pair and its search frame is a frame of the same video
    where the target is invisible, or (``search_id=None``) the caller takes a
    frame of another video.

    A video is usable when it has at least ``min_length`` frames and more
    than ``min_visible`` visible ones; a video of a single (visible) frame
    is an image (COCO-style) and gives that frame as template and search.

    Args:
        mode: ``'causal'``, ``'trident'`` or ``'trident_pro'``.
        max_gap: maximum frame distance, in frames (see modes).
        num_templates: templates per sample (``T``), 1 or more.
        positive_ratio: probability of a positive pair, in [0, 1].
        min_visible: a usable video has more visible frames than this;
            default ``2 * (num_templates + 1)`` (pytracking).
        min_length: minimum frames of a usable video (pytracking: 20).
        gap_increase: growth of the gap after a failed draw (causal).
        max_tries: draws before giving up on a video (returns ``None``).
    """

    MODES = ('causal', 'trident', 'trident_pro', 'symmetric')

    def __init__(self,
                 mode: str = 'causal',
                 max_gap: int = 200,
                 num_templates: int = 1,
                 positive_ratio: float = 1.0,
                 min_visible: Optional[int] = None,
                 min_length: int = 20,
                 gap_increase: int = 5,
                 max_tries: int = 100):
        if mode not in self.MODES:
            raise ValueError(f'mode must be one of {self.MODES}, got {mode!r}')
        if num_templates < 1:
            raise ValueError(
                f'num_templates must be >= 1, got {num_templates}')
        if not 0. <= positive_ratio <= 1.:
            raise ValueError(
                f'positive_ratio must be in [0, 1], got {positive_ratio}')
        if max_gap < 1:
            raise ValueError(f'max_gap must be >= 1, got {max_gap}')
        self.mode = mode
        self.max_gap = int(max_gap)
        self.num_templates = int(num_templates)
        self.positive_ratio = float(positive_ratio)
        self.min_visible = (2 * (self.num_templates + 1)
                            if min_visible is None else int(min_visible))
        self.min_length = int(min_length)
        self.gap_increase = int(gap_increase)
        self.max_tries = int(max_tries)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(mode={self.mode!r}, max_gap='
                f'{self.max_gap}, num_templates={self.num_templates}, '
                f'positive_ratio={self.positive_ratio})')

    # ------------------------------------------------------------------
    def is_usable(self, visible: np.ndarray) -> bool:
        """Whether a video with this visibility can give a sample."""
        if len(visible) == 1:
            return bool(visible[0])
        return (len(visible) >= self.min_length
                and int(np.count_nonzero(visible)) > self.min_visible)

    @staticmethod
    def sample_ids(mask: np.ndarray,
                   rng: np.random.Generator,
                   num: int = 1,
                   lo: int = 0,
                   hi: Optional[int] = None) -> Optional[List[int]]:
        """``num`` indices (with replacement) where ``mask`` is True within
        ``[lo, hi)`` (clamped to the video), or ``None`` if there are none."""
        if num == 0:
            return []
        lo = max(int(lo), 0)
        hi = len(mask) if hi is None else min(int(hi), len(mask))
        if hi <= lo:
            return None
        candidates = np.flatnonzero(mask[lo:hi])
        if candidates.size == 0:
            return None
        return (lo + rng.choice(candidates, size=num)).tolist()

    def __call__(self, visible: np.ndarray,
                 rng: np.random.Generator) -> Optional[FrameSample]:
        """Sample the frames of one pair in a video.

        Args:
            visible: ``(N,)`` bool visibility of the target per frame.
            rng: the sample's random generator.

        Returns:
            The frames, or ``None`` when this video cannot give a sample
            (not usable, or nothing found in ``max_tries`` draws).
        """
        visible = np.asarray(visible, dtype=bool)
        positive = bool(rng.random() < self.positive_ratio)
        if not self.is_usable(visible):
            return None
        if len(visible) == 1:
            # an image: template(s) and search are the same frame
            if positive:
                return FrameSample([0] * self.num_templates, 0, 1)
            return FrameSample([0] * self.num_templates, None, 0)
        pair = self.sample_positive(visible, rng)
        if pair is None:
            return None
        template_ids, search_id = pair
        if positive:
            return FrameSample(template_ids, search_id, 1)
        invisible = self.sample_ids(~visible, rng)
        return FrameSample(template_ids,
                           None if invisible is None else invisible[0], 0)

    def sample_positive(self, visible: np.ndarray, rng: np.random.Generator):
        """``(template_ids, search_id)`` of a positive pair or ``None``."""
        if self.mode == 'causal':
            return self._causal(visible, rng)
        if self.mode == 'symmetric':
            return self._symmetric(visible, rng)
        return self._trident(visible, rng)

    def _symmetric(self, visible, rng):
        anchor = self.sample_ids(visible, rng)
        if anchor is None:
            return None
        lo, hi = anchor[0] - self.max_gap, anchor[0] + self.max_gap + 1
        # the anchor itself is a candidate: these draws cannot fail
        search = self.sample_ids(visible, rng, 1, lo, hi)
        extra = self.sample_ids(visible, rng, self.num_templates - 1, lo, hi)
        return anchor + extra, search[0]

    def _causal(self, visible, rng):
        n, extra = len(visible), self.num_templates - 1
        gap = self.max_gap
        for _ in range(self.max_tries):
            base = self.sample_ids(visible, rng, 1, extra, n - 1)
            if base is None:
                return None
            base = base[0]
            previous = self.sample_ids(visible, rng, extra, base - gap, base)
            search = None
            if previous is not None:
                search = self.sample_ids(visible, rng, 1, base + 1,
                                         base + gap + 1)
            if search is not None:
                return sorted(previous) + [base], search[0]
            gap += self.gap_increase
        return None

    def _trident(self, visible, rng):
        allow_invisible = self.mode == 'trident_pro'
        extra_mask = np.ones_like(visible) if allow_invisible else visible
        for _ in range(self.max_tries):
            first = self.sample_ids(visible, rng)
            search = self.sample_ids(visible, rng)
            if first is None or search is None:
                return None
            first, search = first[0], search[0]
            if first >= search:
                lo, hi = search + 1, search + self.max_gap + 1
            else:
                lo, hi = search - self.max_gap, search
            extra = self.sample_ids(extra_mask, rng,
                                    self.num_templates - 1, lo, hi)
            if extra is not None:
                return [first] + extra, search
        return None
