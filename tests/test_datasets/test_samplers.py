"""Torch samplers: PairSampler (global indices) and VideoSampler (ranks)."""
import numpy as np
import pytest

from mmtrack_ext.datasets import samplers as samplers_module
from mmtrack_ext.datasets import (PairSampler, VideoSampler,
                                  split_videos_by_length)
from mmtrack_ext.registry import DATA_SAMPLERS


class _Videos:
    """Minimal test-mode video dataset: frame indices of given lengths."""

    def __init__(self, lengths):
        self.video_lengths = np.asarray(lengths)

    def __len__(self):
        return int(self.video_lengths.sum())


def _on_rank(monkeypatch, rank, world_size):
    monkeypatch.setattr(samplers_module, 'get_dist_info',
                        lambda: (rank, world_size))


def test_split_videos_by_length():
    parts = split_videos_by_length([100, 10, 10, 10, 50], 2)
    assert parts == [[0], [1, 2, 3, 4]]
    parts = split_videos_by_length([5, 9, 1, 7, 3, 8], 3)
    assert sorted(sum(parts, [])) == list(range(6))
    loads = [sum([5, 9, 1, 7, 3, 8][v] for v in p) for p in parts]
    assert max(loads) - min(loads) <= 2
    assert split_videos_by_length([3, 4], 1) == [[0, 1]]


def test_video_sampler_balanced_whole_videos(monkeypatch):
    lengths = [100, 10, 10, 10, 50]
    dataset = _Videos(lengths)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    seen, loads = [], []
    for rank in range(2):
        _on_rank(monkeypatch, rank, 2)
        sampler = DATA_SAMPLERS.build(
            dict(type='VideoSampler', dataset=dataset))
        indices = list(sampler)
        assert len(indices) == len(sampler)
        loads.append(len(indices))
        # contiguous, ordered frames of whole videos
        videos = np.searchsorted(offsets, indices, 'right') - 1
        for v in np.unique(videos):
            frames = [i for i, vv in zip(indices, videos) if vv == v]
            assert frames == list(range(offsets[v], offsets[v + 1]))
        changes = np.count_nonzero(np.diff(videos))
        assert changes == len(np.unique(videos)) - 1  # videos not interleaved
        seen += indices
    assert sorted(seen) == list(range(sum(lengths)))  # every frame once
    assert loads == [100, 80]


def test_video_sampler_single_rank(monkeypatch):
    _on_rank(monkeypatch, 0, 1)
    sampler = VideoSampler(_Videos([3, 2, 4]))
    assert list(sampler) == list(range(9))


def test_video_sampler_needs_test_mode(monkeypatch):
    class TrainMode(_Videos):
        def __len__(self):
            return len(self.video_lengths)

    with pytest.raises(ValueError, match='test_mode=True'):
        VideoSampler(TrainMode([3, 2]))


def test_pair_sampler_global_indices(monkeypatch):
    dataset = list(range(10))
    per_rank = []
    for rank in range(3):
        _on_rank(monkeypatch, rank, 3)
        sampler = DATA_SAMPLERS.build(
            dict(type='PairSampler', dataset=dataset, seed=123))
        assert len(sampler) == 4
        sampler.set_epoch(2)
        indices = list(sampler)
        assert all(20 <= i < 30 for i in indices)
        per_rank.append(indices)
    assert sorted(set(sum(per_rank, []))) == list(range(20, 30))
    _on_rank(monkeypatch, 0, 1)
    sampler = PairSampler(dataset)
    assert list(sampler) == list(range(10))
    sampler.set_epoch(1)
    assert list(sampler) == list(range(10, 20))
