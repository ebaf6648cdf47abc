"""Torch samplers: epoch-aware training pairs and whole videos for testing."""
import heapq
import math
from typing import Iterator, List, Optional, Sequence, Sized

import numpy as np
from mmengine.dist import get_dist_info
from torch.utils.data import Sampler

from mmtrack_ext.registry import DATA_SAMPLERS

__all__ = ['PairSampler', 'VideoSampler', 'split_videos_by_length']


@DATA_SAMPLERS.register_module()
class PairSampler(Sampler):
    """Sampler of :class:`~mmtrack_ext.datasets.SOTPairDataset`.

    Yields **global** indices ``epoch * len(dataset) + i`` for the ``i`` of
    this rank (``i = rank, rank + world_size, ...``), so the dataset knows
    the epoch even in persistent dataloader workers; ``set_epoch`` is called
    by MMEngine's train loops (and ``DistSamplerSeedHook``) before every
    epoch. No shuffling is needed: every sample is an independent random
    draw already.

    Args:
        dataset: the pair dataset.
        seed: accepted for compatibility with ``Runner.build_dataloader``
            (which passes it); the randomness lives in the dataset's seed.
        round_up: pad with the first indices so that every rank yields the
            same number of samples (as ``DefaultSampler``).
    """

    def __init__(self,
                 dataset: Sized,
                 seed: Optional[int] = None,
                 round_up: bool = True) -> None:
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.epoch = 0
        self.round_up = round_up
        size = len(dataset)
        if round_up:
            self.num_samples = math.ceil(size / self.world_size)
            self.total_size = self.num_samples * self.world_size
        else:
            self.num_samples = len(range(self.rank, size, self.world_size))
            self.total_size = size

    def __iter__(self) -> Iterator[int]:
        size = len(self.dataset)
        base = self.epoch * size
        for k in range(self.rank, self.total_size, self.world_size):
            yield base + k % size

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch of the samples yielded next."""
        self.epoch = int(epoch)


def split_videos_by_length(lengths: Sequence[int],
                           num_parts: int) -> List[List[int]]:
    """Assign whole videos to ``num_parts`` parts with balanced frame counts.

    Greedy longest-processing-time: videos sorted by length (longest first,
    ties by index) each go to the part with the fewest frames so far (ties:
    lowest part). Within a part, videos keep their dataset order.

    Args:
        lengths: number of frames of every video.
        num_parts: number of parts (ranks).

    Returns:
        For every part, the sorted indices of its videos.
    """
    if num_parts < 1:
        raise ValueError(f'num_parts must be >= 1, got {num_parts}')
    lengths = np.asarray(lengths, dtype=np.int64)
    order = np.lexsort((np.arange(len(lengths)), -lengths))
    heap = [(0, part) for part in range(num_parts)]
    parts: List[List[int]] = [[] for _ in range(num_parts)]
    for video in order.tolist():
        load, part = heapq.heappop(heap)
        parts[part].append(video)
        heapq.heappush(heap, (load + int(lengths[video]), part))
    return [sorted(p) for p in parts]


@DATA_SAMPLERS.register_module()
class VideoSampler(Sampler):
    """Test sampler: whole videos per rank, balanced by frame count.

    Each video goes to exactly one rank (:func:`split_videos_by_length`), so
    a tracker sees all frames of a video in order on one process; the frames
    of a video are yielded contiguously and in order. Works with world size
    1 (all frames in dataset order).

    The dataset must index frames like
    :class:`~mmtrack_ext.datasets.BaseSOTDataset` in test mode and expose
    ``video_lengths`` (or mmtracking's ``get_len_per_video()``).

    Args:
        dataset: a test-mode video dataset.
        seed: accepted for compatibility with ``Runner.build_dataloader``;
            unused (the order is deterministic).
    """

    def __init__(self, dataset: Sized, seed: Optional[int] = None) -> None:
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        if hasattr(dataset, 'full_init'):
            dataset.full_init()
        if hasattr(dataset, 'video_lengths'):
            lengths = np.asarray(dataset.video_lengths, dtype=np.int64)
        else:
            lengths = np.asarray(dataset.get_len_per_video(), dtype=np.int64)
        if int(lengths.sum()) != len(dataset):
            raise ValueError(
                f'VideoSampler: the videos of {type(dataset).__name__} have '
                f'{int(lengths.sum())} frames but len(dataset) is '
                f'{len(dataset)}; build it with test_mode=True')
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        self.videos = split_videos_by_length(lengths,
                                             self.world_size)[self.rank]
        self.num_frames = int(lengths[self.videos].sum())
        self._ranges = [(int(offsets[v]), int(offsets[v + 1]))
                        for v in self.videos]

    def __iter__(self) -> Iterator[int]:
        for start, stop in self._ranges:
            yield from range(start, stop)

    def __len__(self) -> int:
        return self.num_frames

    def set_epoch(self, epoch: int) -> None:
        """No-op (the order never changes)."""
