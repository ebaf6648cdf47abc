"""Resumable testing: result files appear as videos complete, finished
videos are skipped and read back, and the metrics do not change."""
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.structures import InstanceData

from mmtrack_ext.datasets import samplers as samplers_module
from mmtrack_ext.datasets import VideoSampler
from mmtrack_ext.evaluation import (apply_resume, is_complete_result,
                                    plan_resume, read_results, result_path,
                                    strip_metric_prefix, time_path)
from mmtrack_ext.registry import DATASETS, METRICS
from mmtrack_ext.structures.sot_data_sample import SOTDataSample

import sot_fixtures as fx  # noqa: I100


def samples_of(dataset, video, preds, video_id=None):
    """The data samples the test pipeline + tracker give for a video."""
    ann = dataset.get_annotation(video)
    n = dataset.get_video_length(video)
    out = []
    for f in range(n):
        s = SOTDataSample(metainfo=dict(
            video_name=dataset.get_video_name(video),
            video_id=video if video_id is None else video_id,
            frame_id=f, video_length=n, ori_shape=(240, 320),
            track_time=0.001 * (f + 1) + 0.0123456789))
        s.gt_instances = InstanceData(
            bboxes=torch.tensor(ann['bboxes'][f:f + 1], dtype=torch.float32),
            visible=torch.tensor([bool(ann['visible'][f])]),
            absent=torch.tensor([int(ann['absent'][f])]),
            cover=torch.tensor([int(ann['cover'][f])]))
        p = preds[f]
        s.pred_instances = InstanceData(
            bboxes=torch.tensor([[p[0], p[1], p[0] + p[2], p[1] + p[3]]],
                                dtype=torch.float32),
            scores=torch.tensor([0.5]))
        out.append(s.to_dict())
    return out


@pytest.fixture
def setup(tmp_path):
    root = str(tmp_path / 'data')
    gts = fx.make_got10k(root, lengths=(9, 7, 8))
    rng = np.random.default_rng(0)
    preds = [g['gt'] + rng.normal(0, 2.0, g['gt'].shape) for g in
             gts.values()]
    ds_cfg = dict(type='GOT10kDataset', data_root=root, split='val',
                  test_mode=True, pipeline=[])
    dataset = DATASETS.build(ds_cfg)
    return root, dataset, ds_cfg, preds


def config(ds_cfg, prefix, layout):
    return Config(dict(
        test_dataloader=dict(dataset=dict(ds_cfg)),
        test_evaluator=dict(type='SOTMetric', protocol=['got10k', 'ostrack'],
                            outfile_prefix=prefix, layout=layout)))


@pytest.mark.parametrize('layout', ['got10k', 'pytracking', 'lasot'])
def test_resumed_runs_give_the_same_metrics(setup, tmp_path, layout):
    root, dataset, ds_cfg, preds = setup
    prefix = str(tmp_path / 'results')
    names = dataset.video_names
    cfg = config(ds_cfg, prefix, layout)
    # run 1: every video; each file exists as soon as its video is done
    metric = METRICS.build(cfg.test_evaluator)
    for v in range(3):
        metric.process({}, samples_of(dataset, v, preds[v]))
        assert osp.isfile(result_path(prefix, names[v], layout))
        assert not osp.exists(result_path(prefix, names[v + 1], layout)) \
            if v < 2 else True
    first = metric.evaluate(dataset.num_frames)
    assert osp.isfile(time_path(prefix, names[0], layout))
    # an interrupted run: video 1 lost, video 2 half written
    os.remove(result_path(prefix, names[1], layout))
    path2 = result_path(prefix, names[2], layout)
    lines = open(path2).read().splitlines()
    open(path2, 'w').write('\n'.join(lines[:4]) + '\n')
    assert is_complete_result(prefix, names[0], 9, layout)
    assert not is_complete_result(prefix, names[2], 8, layout)
    stamp = os.stat(result_path(prefix, names[0], layout)).st_mtime_ns

    plan = plan_resume(cfg)
    assert plan.done == [names[0]] and plan.remaining == [1, 2]
    assert (plan.frames_done, plan.frames_left) == (9, 15)
    apply_resume(cfg, plan)
    assert cfg.test_dataloader.dataset.indices == [1, 2]
    assert cfg.test_evaluator.resumed_sequences == [names[0]]
    subset = DATASETS.build(cfg.test_dataloader.dataset)
    assert subset.video_names == names[1:]
    metric = METRICS.build(cfg.test_evaluator)
    for i, v in enumerate((1, 2)):
        metric.process({}, samples_of(dataset, v, preds[v], video_id=i))
    second = metric.evaluate(subset.num_frames)
    assert second == first
    assert os.stat(result_path(prefix, names[0], layout)).st_mtime_ns == \
        stamp  # not rewritten
    per_seq = metric.last_results['got10k']['per_sequence']
    assert list(per_seq) == names  # dataset order

    # run 3: nothing left to track
    cfg = config(ds_cfg, prefix, layout)
    plan = plan_resume(cfg)
    assert plan.done == names and plan.remaining == []
    apply_resume(cfg, plan)
    assert DATASETS.build(cfg.test_dataloader.dataset).num_frames == 0
    metric = METRICS.build(cfg.test_evaluator)
    assert metric.evaluate(0) == first


def test_metrics_are_those_of_the_written_files(setup, tmp_path):
    """Offline evaluation of the written folder reproduces the metric."""
    from mmtrack_ext.evaluation import evaluate_raw_results
    root, dataset, ds_cfg, preds = setup
    prefix = str(tmp_path / 'results')
    metric = METRICS.build(dict(type='SOTMetric', outfile_prefix=prefix))
    for v in range(3):
        metric.process({}, samples_of(dataset, v, preds[v]))
    online = strip_metric_prefix(metric.evaluate(dataset.num_frames))
    offline = evaluate_raw_results('got10k', root, prefix)
    for k in ('AO', 'SR0.5', 'SR0.75'):
        # the GT differs only by its float32 round trip in the pipeline
        assert online[k] == pytest.approx(offline['overall'][k], abs=1e-6)
    boxes = read_results(result_path(prefix, dataset.get_video_name(0)))
    assert boxes.shape == (9, 4)


def test_plan_keeps_user_indices_and_needs_a_results_folder(setup, tmp_path):
    root, dataset, ds_cfg, preds = setup
    cfg = config(dict(ds_cfg, indices=[2, 0]), None, 'got10k')
    with pytest.raises(ValueError, match='outfile_prefix'):
        plan_resume(cfg)
    prefix = str(tmp_path / 'res')
    plan = plan_resume(cfg, default_prefix=prefix)
    assert plan.remaining == [2, 0] and not plan.prefix_was_set
    fx.write_results(prefix, {dataset.get_video_name(2): preds[2]},
                     layout='got10k')
    plan = plan_resume(cfg, default_prefix=prefix)
    assert plan.done == [dataset.get_video_name(2)] and plan.remaining == [0]
    apply_resume(cfg, plan)
    assert cfg.test_evaluator.outfile_prefix == prefix
    assert 'indices' not in cfg.test_evaluator.resumed_dataset
    two = Config(dict(test_dataloader=cfg.test_dataloader,
                      test_evaluator=[dict(type='SOTMetric'),
                                      dict(type='SOTMetric')]))
    with pytest.raises(ValueError, match='exactly one SOTMetric'):
        plan_resume(two, default_prefix=prefix)


def test_video_sampler_balances_the_remaining_videos(tmp_path, monkeypatch):
    root = str(tmp_path / 'data')
    fx.make_got10k(root, lengths=(30, 5, 6, 20, 7, 12))
    ds = DATASETS.build(dict(type='GOT10kDataset', data_root=root,
                             split='val', test_mode=True, pipeline=[],
                             indices=[1, 2, 4, 5]))
    assert ds.video_lengths.tolist() == [5, 6, 7, 12]
    seen, loads = [], []
    for rank in range(2):
        monkeypatch.setattr(samplers_module, 'get_dist_info',
                            lambda r=rank: (r, 2))
        sampler = VideoSampler(ds)
        seen += list(sampler)
        loads.append(len(sampler))
    assert sorted(seen) == list(range(ds.num_frames))
    # the best split of 5 + 6 + 7 + 12 frames over two ranks; the videos
    # already done (30 and 20 frames) do not count
    assert sorted(loads) == [13, 17]
