"""Training pair dataset: determinism, epochs, weights, negatives, skips."""
import copy
import logging
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from torch.utils.data import DataLoader

from mmtrack_ext.datasets import PairSampler, SOTPairDataset
from mmtrack_ext.registry import DATASETS, MODELS

PIPELINE = [
    dict(type='LoadFrames'),
    dict(type='SearchAreaCrop', template_factor=2., template_size=16,
         search_factor=4., search_size=32, scale_jitter=0.25,
         center_jitter=3.),
    dict(type='CheckPaddingValidity', stride=8),
    dict(type='JointGrayscale', prob=0.05),
    dict(type='JointFlip', prob=0.5),
    dict(type='BrightnessJitter', factor=0.2),
    dict(type='PackSOTInputs'),
]


def _pair_cfg(root, pipeline=PIPELINE, **kwargs):
    cfg = dict(
        type='SOTPairDataset',
        datasets=[dict(type='GOT10kDataset', data_root=root, split='train')],
        samples_per_epoch=8,
        frame_sampler=dict(type='FrameSampler', mode='causal', max_gap=5),
        pipeline=pipeline,
        seed=7)
    cfg.update(kwargs)
    return cfg


def _same(a, b):
    return (torch.equal(a['inputs']['template'], b['inputs']['template'])
            and torch.equal(a['inputs']['search'], b['inputs']['search'])
            and torch.equal(a['data_samples'].gt_instances.bboxes,
                            b['data_samples'].gt_instances.bboxes))


def test_deterministic_per_seed_epoch_index(make_got10k):
    root, _ = make_got10k(lengths=(24, 26, 22))
    ds = DATASETS.build(_pair_cfg(root))
    assert len(ds) == 8 and ds.metainfo['dataset_name'] == 'GOT-10k'
    again = DATASETS.build(_pair_cfg(root))
    other_seed = DATASETS.build(_pair_cfg(root, seed=8))
    for i in range(4):
        a = ds[i]
        assert a['inputs']['search'].shape == (1, 3, 32, 32)
        assert a['inputs']['template'].shape == (1, 3, 16, 16)
        assert _same(a, again[i])  # same seed, epoch and index
        assert not _same(a, ds[i + len(ds)])  # next epoch differs
        assert not _same(a, other_seed[i])
    # the frames drawn depend on (seed, epoch, index) only
    frames = [[f['frame_id'] for f in ds.sample(ds.rng(e, i))['frames']]
              for e in range(2) for i in range(8)]
    assert frames[:8] != frames[8:]
    assert frames == [[f['frame_id'] for f in again.sample(again.rng(e, i))
                       ['frames']] for e in range(2) for i in range(8)]


def test_epochs_reach_persistent_workers(make_got10k):
    root, _ = make_got10k(lengths=(24, 26))
    ds = DATASETS.build(_pair_cfg(root, samples_per_epoch=4))
    sampler = PairSampler(ds)
    loader = DataLoader(ds, batch_size=4, sampler=sampler, num_workers=1,
                        persistent_workers=True, collate_fn=list)
    epochs = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        epochs.append(next(iter(loader)))
    for epoch, batch in enumerate(epochs):
        for i, data in enumerate(batch):
            assert _same(data, ds[epoch * 4 + i])
    assert not _same(epochs[0][0], epochs[1][0])


def test_dataset_weights(make_got10k, tmp_path):
    root_a, _ = make_got10k(lengths=(24, 24), prefix='A')
    root_b, _ = make_got10k(lengths=(24, 24), prefix='B',
                            root=str(tmp_path / 'b'))
    ds = SOTPairDataset(
        datasets=[dict(type='GOT10kDataset', data_root=r)
                  for r in (root_a, root_b)],
        dataset_weights=[3, 1], samples_per_epoch=2000, seed=0)
    names = [ds.sample(ds.rng(0, i))['video_name'] for i in range(2000)]
    share_a = np.mean([n.startswith('A_') for n in names])
    assert abs(share_a - 0.75) < 0.04
    with pytest.raises(ValueError, match='dataset_weights'):
        SOTPairDataset(datasets=[dict(type='GOT10kDataset', data_root=root_a)],
                       dataset_weights=[1, 1])


def test_negative_pairs(make_got10k):
    # video 0 has frames without the target, videos 1 and 2 do not
    root, videos = make_got10k(lengths=(24, 24, 24),
                               absent={0: range(12, 17)})
    ds = DATASETS.build(
        _pair_cfg(root, pipeline=[],
                  frame_sampler=dict(type='FrameSampler', mode='trident',
                                     num_templates=2, positive_ratio=0.6),
                  samples_per_epoch=1000))
    labels, same_video, other_video = [], 0, 0
    for i in range(1000):
        res = ds[i]
        *templates, search = res['frames']
        assert [f['role'] for f in res['frames']] == \
            ['template', 'template', 'search']
        assert all(f['visible'] for f in templates)
        labels.append(res['label'])
        if res['label'] == 1:
            assert search['visible']
            continue
        template_dir = osp.dirname(templates[0]['img_path'])
        if osp.dirname(search['img_path']) == template_dir:
            # same video, target absent: fake centre box W/8 x H/8
            same_video += 1
            assert res['video_name'] == videos[0]['name']
            assert not search['visible']
            np.testing.assert_allclose(search['bbox'], [28, 21, 36, 27])
        else:
            other_video += 1
            assert search['visible']
    assert abs(np.mean(labels) - 0.6) < 0.05
    assert same_video > 0 and other_video > 0


class _Recorder(logging.Handler):

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        if 'SOTPairDataset' in record.getMessage():
            self.messages.append(record.getMessage())


def test_bad_frames_are_skipped_and_counted(make_got10k):
    root, videos = make_got10k(lengths=(20, ))
    bad = osp.join(videos[0]['dir'], '00000003.jpg')
    with open(bad, 'wb') as f:
        f.write(b'\xff\xd8 truncated')
    log = _Recorder()
    logger = MMLogger.get_instance('test_bad_frames', log_level='WARNING')
    logger.addHandler(log)
    ds = DATASETS.build(_pair_cfg(root, pipeline=[dict(type='LoadFrames')],
                                  samples_per_epoch=60))
    for i in range(60):
        res = ds[i]
        assert all(f['frame_id'] != 2 for f in res['frames'])
    assert ds.num_skipped > 0 and len(log.messages) == ds.num_skipped
    assert '00000003.jpg' in log.messages[0]
    assert f'{ds.num_skipped} skipped so far' in log.messages[-1]
    logger.removeHandler(log)
    # a sample that is still bad after max_retries stops the run
    for fn in range(1, 21):
        with open(osp.join(videos[0]['dir'], f'{fn:08d}.jpg'), 'wb') as f:
            f.write(b'')
    ds = DATASETS.build(_pair_cfg(root, pipeline=[dict(type='LoadFrames')],
                                  max_retries=2))
    with pytest.raises(RuntimeError, match='failed 3 times'):
        ds[0]


def test_no_usable_video_is_a_clear_error(make_got10k):
    root, _ = make_got10k(lengths=(10, ))  # shorter than min_length 20
    ds = DATASETS.build(_pair_cfg(root, pipeline=[], max_video_tries=5))
    with pytest.raises(RuntimeError, match='no usable video'):
        ds[0]


def test_dataloaders_from_configs(make_got10k):
    root, _ = make_got10k(lengths=(24, 26, 22))
    make_got10k(split='val', lengths=(3, 4))
    train = dict(
        batch_size=2, num_workers=0, sampler=dict(type='PairSampler'),
        dataset=_pair_cfg(root, seed=None))
    test = dict(
        batch_size=1, num_workers=0, sampler=dict(type='VideoSampler'),
        dataset=dict(type='GOT10kDataset', data_root=root, split='val',
                     test_mode=True,
                     pipeline=[dict(type='LoadFrames'),
                               dict(type='PackSOTInputs')]))
    preprocessor = MODELS.build(dict(type='SOTDataPreprocessor'))
    with DefaultScope.overwrite_default_scope('mmtrack_ext'):
        train_loader = Runner.build_dataloader(copy.deepcopy(train), seed=0)
        test_loader = Runner.build_dataloader(copy.deepcopy(test), seed=0)
    assert isinstance(train_loader.sampler, PairSampler)
    data = preprocessor(next(iter(train_loader)), True)
    assert data['inputs']['template'].shape == (2, 1, 3, 16, 16)
    assert data['inputs']['search'].shape == (2, 3, 32, 32)
    assert data['inputs']['search'].dtype == torch.float32
    frames = [(s.video_id, s.frame_id) for batch in test_loader
              for s in batch['data_samples']]
    assert frames == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (1, 3)]
