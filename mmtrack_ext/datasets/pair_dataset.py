"""Training dataset of template/search samples drawn from video datasets."""
import copy
from typing import Callable, List, Optional, Sequence, Union

import numpy as np
from mmengine.dataset import Compose
from mmengine.dist import sync_random_seed
from mmengine.logging import MMLogger
from torch.utils.data import Dataset

from mmtrack_ext.registry import DATASETS, TASK_UTILS, TRANSFORMS
from mmtrack_ext.structures import cxcywh_to_xyxy
from .base_sot_dataset import BaseSOTDataset
from .errors import BadSampleError
from .frame_samplers import FrameSample

__all__ = ['SOTPairDataset']


@DATASETS.register_module()
class SOTPairDataset(Dataset):
    """Random template/search samples from several video datasets.

    Every item is one training sample: a dataset is drawn with probability
    proportional to ``dataset_weights``, then a usable video uniformly, then
    the frames by ``frame_sampler``; the results dict of
    ``docs/contracts.md`` (templates first, then the search frame, plus
    ``label`` and ``rng``) goes through ``pipeline``.

    **Epochs and determinism.** ``len(dataset)`` is ``samples_per_epoch``,
    whatever the size of the datasets. Sample ``i`` of epoch ``e`` is drawn
    from ``numpy.random.default_rng([seed, e, i])`` only, so it does not
    depend on workers, ranks, batch size or order. The epoch reaches the
    (possibly persistent) dataloader workers through the index:
    :class:`~mmtrack_ext.datasets.PairSampler` yields global indices
    ``e * len(dataset) + i`` and ``__getitem__`` decodes ``(e, i)``. The
    same generator is handed to the pipeline as ``results['rng']`` so the
    random transforms are deterministic too.

    **Bad samples** (unreadable frame, crop that is all padding: any
    :class:`~mmtrack_ext.datasets.errors.BadSampleError`) are skipped:
    the sample is drawn again from ``default_rng([seed, e, i, attempt])``
    (at most ``max_retries`` times) and a warning with the reason and the
    running count of this process is logged.

    Negative pairs (label 0) whose search frame comes from the same video
    get a fake box at the image centre of size ``W/8 x H/8`` (STARK); those
    from another video keep that video's own box.

    Args:
        datasets: video datasets (configs or instances of
            :class:`BaseSOTDataset`, built with ``test_mode=False``).
        dataset_weights: sampling weight of each dataset (default equal).
        samples_per_epoch: ``len(dataset)``.
        frame_sampler: config of a ``TASK_UTILS`` frame sampler
            (:class:`~mmtrack_ext.datasets.FrameSampler`).
        pipeline: transforms of ``mmtrack_ext`` TRANSFORMS (configs or
            callables).
        seed: seed of all samples; ``None``: a seed shared by all ranks,
            drawn from numpy's global generator (seeded by the runner's
            ``randomness`` config).
        max_retries: redraws of a bad sample before giving up.
        max_video_tries: videos tried for one sample before concluding that
            a dataset has no usable video.
        lazy_init: build the datasets' video lists in :meth:`full_init`.
    """

    def __init__(self,
                 datasets: Sequence[Union[dict, BaseSOTDataset]],
                 dataset_weights: Optional[Sequence[float]] = None,
                 samples_per_epoch: int = 60000,
                 frame_sampler: Union[dict, Callable] = dict(
                     type='FrameSampler'),
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 seed: Optional[int] = None,
                 max_retries: int = 10,
                 max_video_tries: int = 100,
                 lazy_init: bool = False):
        if not datasets:
            raise ValueError('SOTPairDataset needs at least one dataset')
        self.datasets: List[BaseSOTDataset] = []
        for cfg in datasets:
            if isinstance(cfg, dict):
                cfg = copy.deepcopy(cfg)
                cfg.setdefault('lazy_init', lazy_init)
                cfg = DATASETS.build(cfg)
            self.datasets.append(cfg)
        weights = np.ones(len(self.datasets)) if dataset_weights is None \
            else np.asarray(dataset_weights, dtype=np.float64)
        if weights.shape != (len(self.datasets), ) or (weights < 0).any() \
                or weights.sum() <= 0:
            raise ValueError(
                f'dataset_weights must be {len(self.datasets)} non-negative '
                f'numbers with a positive sum, got {dataset_weights}')
        self.dataset_weights = weights / weights.sum()
        if samples_per_epoch < 1:
            raise ValueError('samples_per_epoch must be >= 1')
        self.samples_per_epoch = int(samples_per_epoch)
        self.frame_sampler = TASK_UTILS.build(frame_sampler) \
            if isinstance(frame_sampler, dict) else frame_sampler
        self.pipeline = Compose([
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in pipeline
        ])
        self.seed = int(sync_random_seed() if seed is None else seed)
        self.max_retries = int(max_retries)
        self.max_video_tries = int(max_video_tries)
        self.test_mode = False
        self.num_skipped = 0
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    # ------------------------------------------------------------------
    def full_init(self) -> None:
        """Fully initialise the wrapped datasets (video lists)."""
        if self._fully_initialized:
            return
        for dataset in self.datasets:
            dataset.full_init()
            if getattr(dataset, 'test_mode', False):
                raise ValueError(
                    f'{type(dataset).__name__} inside SOTPairDataset must be '
                    'built with test_mode=False')
        self._dataset_names = [
            str(d.metainfo.get('dataset_name', type(d).__name__))
            for d in self.datasets
        ]
        self._fully_initialized = True

    @property
    def metainfo(self) -> dict:
        """``dataset_name`` (the wrapped names joined by ``+``) and the
        wrapped datasets' metainfo."""
        self.full_init()
        return dict(
            dataset_name='+'.join(self._dataset_names),
            datasets=[d.metainfo for d in self.datasets])

    def __len__(self) -> int:
        return self.samples_per_epoch

    def __repr__(self) -> str:
        names = ', '.join(type(d).__name__ for d in self.datasets)
        return (f'{type(self).__name__}(datasets=[{names}], '
                f'samples_per_epoch={self.samples_per_epoch}, '
                f'frame_sampler={self.frame_sampler!r})')

    # ------------------------------------------------------------------
    def rng(self, epoch: int, index: int,
            attempt: int = 0) -> np.random.Generator:
        """The generator of sample ``index`` of ``epoch`` (``attempt`` > 0:
        the redraws of a bad sample)."""
        key = [self.seed, int(epoch), int(index)]
        return np.random.default_rng(key + [attempt] if attempt else key)

    def __getitem__(self, idx: int) -> dict:
        """Sample ``idx % len`` of epoch ``idx // len`` after the pipeline."""
        self.full_init()
        epoch, index = divmod(int(idx), self.samples_per_epoch)
        reasons = []
        for attempt in range(self.max_retries + 1):
            rng = self.rng(epoch, index, attempt)
            try:
                results = self.sample(rng)
                results['rng'] = rng
                data = self.pipeline(results)
                if data is None:
                    raise BadSampleError('the pipeline returned None')
                return data
            except BadSampleError as e:
                self.num_skipped += 1
                reasons.append(f'{type(e).__name__}: {e}')
                MMLogger.get_current_instance().warning(
                    f'{type(self).__name__}: skipped a bad training sample '
                    f'(epoch {epoch}, index {index}, attempt {attempt}): '
                    f'{reasons[-1]}; {self.num_skipped} skipped so far in '
                    'this process')
        raise RuntimeError(
            f'{type(self).__name__}: sample {index} of epoch {epoch} failed '
            f'{self.max_retries + 1} times: ' + ' | '.join(reasons))

    def sample(self, rng: np.random.Generator) -> dict:
        """Draw the frames of one sample: the results dict (no images)."""
        d = int(rng.choice(len(self.datasets), p=self.dataset_weights))
        dataset = self.datasets[d]
        for _ in range(self.max_video_tries):
            video = int(rng.integers(dataset.num_videos))
            ann = dataset.get_annotation(video)
            frames: Optional[FrameSample] = self.frame_sampler(
                ann['visible'], rng)
            if frames is not None:
                break
        else:
            raise RuntimeError(
                f'{type(dataset).__name__} (data_root='
                f'{getattr(dataset, "data_root", "?")!r}): no usable video '
                f'found in {self.max_video_tries} draws for '
                f'{self.frame_sampler!r}; are there enough long videos with '
                'a visible target?')
        out = [
            self._frame(dataset, video, ann, t, 'template')
            for t in frames.template_ids
        ]
        if frames.label == 1:
            out.append(
                self._frame(dataset, video, ann, frames.search_id, 'search'))
        elif frames.search_id is not None:
            search = self._frame(dataset, video, ann, frames.search_id,
                                 'search')
            search['bbox'] = self._centre_box(
                dataset.get_frame_shape(video))
            out.append(search)
        else:
            out.append(self._other_video_frame(rng, d, video))
        return dict(
            frames=out,
            label=int(frames.label),
            video_name=dataset.get_video_name(video),
            video_id=video,
            dataset_name=self._dataset_names[d])

    @staticmethod
    def _frame(dataset: BaseSOTDataset, video: int, ann: dict, frame: int,
               role: str) -> dict:
        return dict(
            img_path=dataset.get_frame_path(video, frame),
            bbox=np.array(ann['bboxes'][frame], dtype=np.float32),
            visible=bool(ann['visible'][frame]),
            frame_id=int(frame),
            role=role)

    @staticmethod
    def _centre_box(shape) -> np.ndarray:
        """STARK's fake box of a negative search frame: image centre,
        ``W/8 x H/8``."""
        h, w = shape
        return cxcywh_to_xyxy(
            np.array([w / 2, h / 2, w / 8, h / 8], dtype=np.float32))

    def _other_video_frame(self, rng: np.random.Generator, dataset_idx: int,
                           video: int) -> dict:
        """A visible frame of another random video (random dataset)."""
        for _ in range(self.max_video_tries):
            d = int(rng.choice(len(self.datasets), p=self.dataset_weights))
            dataset = self.datasets[d]
            if d == dataset_idx and dataset.num_videos == 1 and \
                    len(self.datasets) == 1:
                break  # nothing else to draw from
            other = int(rng.integers(dataset.num_videos))
            if d == dataset_idx and other == video:
                continue
            ann = dataset.get_annotation(other)
            frame = self.frame_sampler.sample_ids(ann['visible'], rng)
            if frame is not None:
                return self._frame(dataset, other, ann, frame[0], 'search')
        raise RuntimeError(
            f'{type(self).__name__}: no other video with a visible target '
            'for a negative pair')
