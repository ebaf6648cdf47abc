"""Frame samplers on visibility arrays (no files)."""
import numpy as np
import pytest

from mmtrack_ext.datasets import FrameSampler
from mmtrack_ext.registry import TASK_UTILS


def _visible(n=300, seed=0, invisible_ratio=0.2):
    return np.random.default_rng(seed).random(n) > invisible_ratio


def test_causal_search_after_template_within_max_gap():
    sampler = TASK_UTILS.build(
        dict(type='FrameSampler', mode='causal', max_gap=10))
    visible = _visible()
    rng = np.random.default_rng(0)
    gaps = []
    for _ in range(500):
        s = sampler(visible, rng)
        (t, ), search = s.template_ids, s.search_id
        assert s.label == 1
        assert visible[t] and visible[search]
        assert 0 < search - t <= 10
        gaps.append(search - t)
    assert set(gaps) == set(range(1, 11))


def test_causal_gap_grows_when_needed():
    visible = np.zeros(60, dtype=bool)
    visible[[10, 40]] = True  # 30 frames apart, max_gap 5
    sampler = FrameSampler(mode='causal', max_gap=5, min_visible=1)
    rng = np.random.default_rng(1)
    for _ in range(20):
        s = sampler(visible, rng)
        assert (s.template_ids, s.search_id) == ([10], 40)
    assert FrameSampler(mode='causal', max_gap=5, min_visible=1,
                        gap_increase=0)(visible, rng) is None


def test_causal_two_templates_in_time_order():
    sampler = FrameSampler(mode='causal', max_gap=20, num_templates=2)
    visible = _visible(seed=2)
    rng = np.random.default_rng(2)
    for _ in range(200):
        s = sampler(visible, rng)
        first, base = s.template_ids
        assert first <= base < s.search_id
        assert base - first <= 20 + 5 * sampler.max_tries
        assert visible[[first, base, s.search_id]].all()


@pytest.mark.parametrize('mode', ['trident', 'trident_pro'])
def test_trident_two_templates(mode):
    sampler = FrameSampler(mode=mode, max_gap=15, num_templates=2)
    visible = _visible(seed=3)
    rng = np.random.default_rng(3)
    orders = set()
    for _ in range(500):
        s = sampler(visible, rng)
        first, online = s.template_ids
        search = s.search_id
        assert visible[first] and visible[search]
        if mode == 'trident':
            assert visible[online]
        assert 0 < abs(online - search) <= 15
        # the online template lies on the side of the first template
        if first >= search:
            assert online > search
        else:
            assert online < search
        orders.add(first < search)
    assert orders == {True, False}  # first template before and after


def test_negative_pairs():
    sampler = FrameSampler(mode='trident', positive_ratio=0.7)
    visible = _visible(seed=4, invisible_ratio=0.3)
    rng = np.random.default_rng(4)
    labels = []
    for _ in range(2000):
        s = sampler(visible, rng)
        labels.append(s.label)
        if s.label == 0:
            assert not visible[s.search_id]  # target invisible there
            assert visible[s.template_ids].all()
    assert abs(np.mean(labels) - 0.7) < 0.04
    # no invisible frame: the caller must take another video
    s = FrameSampler(positive_ratio=0.)(np.ones(30, bool),
                                        np.random.default_rng(0))
    assert s.label == 0 and s.search_id is None


def test_usable_videos_and_images():
    sampler = FrameSampler(num_templates=1)
    assert not sampler.is_usable(np.ones(19, bool))  # < min_length
    few = np.zeros(30, bool)
    few[:4] = True  # 4 visible frames, not more than 2 * (1 + 1)
    assert not sampler.is_usable(few)
    assert sampler(few, np.random.default_rng(0)) is None
    image = sampler(np.ones(1, bool), np.random.default_rng(0))
    assert image.template_ids == [0] and image.search_id == 0


def test_invalid_arguments():
    with pytest.raises(ValueError):
        FrameSampler(mode='stark')
    with pytest.raises(ValueError):
        FrameSampler(positive_ratio=1.5)
    with pytest.raises(ValueError):
        FrameSampler(num_templates=0)


def test_symmetric_search_on_either_side_within_max_gap():
    """MAT: the search frame lies within max_gap of the template, before
    or after it (the template's own frame included)."""
    sampler = FrameSampler(mode='symmetric', max_gap=5, num_templates=2)
    visible = np.ones(100, bool)
    visible[40:60] = False
    rng = np.random.default_rng(0)
    before = after = 0
    for _ in range(300):
        s = sampler(visible, rng)
        anchor = s.template_ids[0]
        for i in s.template_ids[1:] + [s.search_id]:
            assert abs(i - anchor) <= 5 and visible[i]
        before += s.search_id < anchor
        after += s.search_id > anchor
    assert before > 50 and after > 50
    # max_gap larger than the video: any visible frame
    anywhere = FrameSampler(mode='symmetric', max_gap=9999)
    gaps = [abs(s.search_id - s.template_ids[0]) for s in (
        anywhere(visible, rng) for _ in range(300))]
    assert max(gaps) > 60
