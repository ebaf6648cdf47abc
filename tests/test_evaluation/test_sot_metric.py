import json
import os
import os.path as osp
import random
import socket

import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData

from mmtrack_ext.evaluation import (SOTMetric, as_written, evaluate_sequences,
                                    read_results, read_times,
                                    strip_metric_prefix)
from mmtrack_ext.registry import METRICS
from mmtrack_ext.structures.sot_data_sample import SOTDataSample

RES = (320, 240)  # (W, H)


def _xyxy(b):
    b = np.asarray(b, dtype=np.float64)
    return torch.tensor([[b[0], b[1], b[0] + b[2], b[1] + b[3]]],
                        dtype=torch.float64)


def _video(name, vid, n, rng, cover=None):
    gt = np.stack([
        rng.integers(0, 200, n), rng.integers(0, 150, n),
        rng.integers(10, 80, n), rng.integers(10, 80, n)
    ], 1).astype(np.float64)
    pred = gt + rng.normal(0, 6, gt.shape)
    pred[:, 2:] = np.abs(pred[:, 2:]) + 1
    cover = np.full(n, 8) if cover is None else np.asarray(cover)
    return dict(name=name, vid=vid, gt=gt, pred=pred, cover=cover,
                times=0.01 * (1 + np.arange(n)))


def _samples(video, frames=None, as_element=False):
    out = []
    n = len(video['gt'])
    for f in (range(n) if frames is None else frames):
        s = SOTDataSample(
            metainfo=dict(
                video_name=video['name'],
                video_id=video['vid'],
                frame_id=f,
                video_length=n,
                ori_shape=(RES[1], RES[0]),
                img_path=f'{video["name"]}/{f:08d}.jpg',
                track_time=float(video['times'][f])))
        s.gt_instances = InstanceData(
            bboxes=_xyxy(video['gt'][f]),
            visible=torch.tensor([bool(video['cover'][f] > 0)]),
            absent=torch.tensor([int(video['cover'][f] == 0)]),
            cover=torch.tensor([int(video['cover'][f])]))
        s.pred_instances = InstanceData(
            bboxes=_xyxy(video['pred'][f]), scores=torch.tensor([0.9]))
        out.append(s if as_element else s.to_dict())
    return out


def _expected(videos, protocol='got10k', **kw):
    seqs = {
        v['name']: dict(pred=v['pred'], gt=v['gt'], cover=v['cover'],
                        resolution=RES)
        for v in videos
    }
    return evaluate_sequences(protocol, seqs, **kw)['overall']


def test_end_to_end_out_of_order(tmp_path):
    rng = np.random.default_rng(0)
    videos = [
        _video('vid_b', 1, 7, rng, cover=[8, 8, 0, 3, 8, 8, 8]),
        _video('vid_a', 0, 5, rng)
    ]
    samples = _samples(videos[0]) + _samples(videos[1])
    random.Random(0).shuffle(samples)
    metric = METRICS.build(
        dict(type='SOTMetric', protocol='got10k',
             outfile_prefix=str(tmp_path / 'res')))
    for i in range(0, len(samples), 3):  # batches of 3 frames
        metric.process({}, samples[i:i + 3])
    out = metric.evaluate(len(samples))
    assert set(out) == {'sot/AO', 'sot/SR0.5', 'sot/SR0.75'}
    flat = strip_metric_prefix(out)
    # with outfile_prefix the metrics are those of the written files
    exp = _expected([dict(v, pred=as_written(v['pred'])) for v in videos])
    assert _expected(videos)['AO'] != exp['AO']
    for k in ('AO', 'SR0.5', 'SR0.75'):
        assert flat[k] == pytest.approx(exp[k], abs=1e-12)
        assert 0 <= flat[k] <= 1
    # per-sequence results are kept; cover 0 frame excluded
    per = metric.last_results['got10k']['per_sequence']
    assert per['vid_b']['num_frames'] == 5
    assert list(per) == ['vid_a', 'vid_b']  # ordered by video id
    # written files: GOT-10k layout, 4 decimals, one line per frame
    for v in videos:
        path = tmp_path / 'res' / v['name'] / f'{v["name"]}_001.txt'
        lines = path.read_text().splitlines()
        assert len(lines) == len(v['gt'])
        assert all(len(x.split(',')[0].split('.')[1]) == 4 for x in lines)
        np.testing.assert_allclose(read_results(str(path)), v['pred'],
                                   atol=5e-5)
        times = read_times(
            str(tmp_path / 'res' / v['name'] / f'{v["name"]}_time.txt'))
        np.testing.assert_allclose(times, v['times'], atol=1e-6)
    # the buffer is reset after evaluate
    with pytest.raises(ValueError, match='no frames'):
        metric.evaluate(0)


def test_multiple_protocols_and_data_elements():
    rng = np.random.default_rng(1)
    videos = [_video('x', 0, 6, rng), _video('y', 1, 4, rng)]
    metric = SOTMetric(
        protocol=['got10k', 'ostrack', 'pytracking'],
        protocol_options={'ostrack': {'exclude_invalid_frames': True}})
    for v in videos:
        metric.process({}, _samples(v, as_element=True))
    out = strip_metric_prefix(metric.evaluate(10), 'sot')
    # AO/SR unique; the OPE keys collide and get the protocol in front
    assert {'AO', 'SR0.5', 'SR0.75', 'ostrack_AUC', 'pytracking_AUC',
            'ostrack_P_norm', 'pytracking_OP75'} <= set(out)
    exp = _expected(videos, 'ostrack', exclude_invalid_frames=True)
    assert out['ostrack_AUC'] == pytest.approx(exp['AUC'], abs=1e-12)
    assert out['ostrack_P'] == pytest.approx(exp['P'], abs=1e-12)


def test_gathered_ranks_with_unequal_frames():
    """Rank payloads with different numbers of frames merge by (video,
    frame); a video split across ranks is fine."""
    rng = np.random.default_rng(2)
    videos = [_video('a', 0, 9, rng), _video('b', 1, 3, rng)]
    ranks = [SOTMetric(), SOTMetric()]
    ranks[0].process({}, _samples(videos[0], range(0, 9, 2)))
    ranks[1].process({}, _samples(videos[0], range(1, 9, 2)))
    ranks[1].process({}, _samples(videos[1]))
    out = ranks[0].compute_metrics([r._export() for r in ranks])
    exp = _expected(videos)
    assert out['AO'] == pytest.approx(exp['AO'], abs=1e-12)


def test_missing_duplicate_and_untracked_frames_are_named():
    rng = np.random.default_rng(3)
    v = _video('seq_7', 0, 6, rng)
    metric = SOTMetric()
    metric.process({}, _samples(v, [0, 1, 2, 4]))
    with pytest.raises(ValueError,
                       match=r"'seq_7': missing frame ids \[3, 5\] of 6"):
        metric.evaluate(6)
    metric.process({}, _samples(v) + _samples(v, [2]))
    with pytest.raises(ValueError, match=r"'seq_7'.*more than once: \[2\]"):
        metric.evaluate(7)
    samples = _samples(v)
    del samples[3]['pred_instances']
    samples[0]['pred_instances'] = {}  # frame 0 falls back to the GT box
    metric.process({}, samples)
    with pytest.raises(ValueError,
                       match=r"without a prediction: video 'seq_7' frames "
                       r'\[3\]'):
        metric.evaluate(6)


def test_format_only_writes_without_gt(tmp_path):
    rng = np.random.default_rng(4)
    v = _video('test_1', 0, 4, rng)
    samples = _samples(v)
    for s in samples:
        s.pop('gt_instances')
        s.pop('track_time')
    metric = SOTMetric(outfile_prefix=str(tmp_path), format_only=True)
    metric.process({}, samples)
    assert metric.evaluate(4) == {}
    assert not (tmp_path / 'test_1' / 'test_1_time.txt').exists()
    np.testing.assert_allclose(
        read_results(str(tmp_path / 'test_1' / 'test_1_001.txt')),
        v['pred'], atol=5e-5)
    # without format_only, missing GT is an error naming the frames
    metric = SOTMetric()
    metric.process({}, samples)
    with pytest.raises(ValueError, match=r"without ground truth.*'test_1'"):
        metric.evaluate(4)
    with pytest.raises(ValueError, match='outfile_prefix'):
        SOTMetric(format_only=True)
    with pytest.raises(KeyError, match='unknown SOT protocol'):
        SOTMetric(protocol='otb2015_typo')


def test_strip_metric_prefix():
    assert strip_metric_prefix({'sot/AO': np.float64(0.5), 'x': 1}) == {
        'AO': 0.5, 'x': 1}
    assert strip_metric_prefix({'sot/AO': 0.5, 'other/AO': 1},
                               'sot') == {'AO': 0.5, 'other/AO': 1}
    with pytest.raises(KeyError, match='twice'):
        strip_metric_prefix({'a/AO': 1, 'b/AO': 2})


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _dist_worker(rank, port, out_dir):
    import torch.distributed as dist
    dist.init_process_group(
        'gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank,
        world_size=2)
    try:
        rng = np.random.default_rng(5)
        videos = [_video('a', 0, 11, rng), _video('b', 1, 2, rng)]
        metric = SOTMetric()
        if rank == 0:  # 11 frames on rank 0, 2 on rank 1
            metric.process({}, _samples(videos[0]))
        else:
            metric.process({}, _samples(videos[1]))
        out = metric.evaluate(13)
        with open(osp.join(out_dir, f'rank{rank}.json'), 'w') as f:
            json.dump(dict(out=out, exp=_expected(videos)['AO']), f)
    finally:
        dist.destroy_process_group()


def test_distributed_gather_unequal_ranks(tmp_path):
    mp = pytest.importorskip('torch.multiprocessing')
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    mp.spawn(_dist_worker, args=(_free_port(), str(tmp_path)), nprocs=2)
    for rank in range(2):
        with open(tmp_path / f'rank{rank}.json') as f:
            res = json.load(f)
        assert res['out']['sot/AO'] == pytest.approx(res['exp'], abs=1e-12)
