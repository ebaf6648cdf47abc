"""The user-facing tools on the real tiny tracker and synthetic data.

``tools/dist_train.sh`` (two gloo processes on CPU) trains the tiny
one-stream config; its checkpoint is evaluated by ``tools/test.py`` and by
``tools/dist_test.sh`` (the metrics must agree and every video must be
tracked once); the quickstart runs end to end on a short budget; a head
registered by the example project trains through ``custom_imports``;
``benchmark_fps.py`` writes its JSON.
"""
import json
import os
import os.path as osp
import sys

import pytest
import torch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from integration_utils import (TINY_CONFIG, count_lines,  # noqa: E402
                               data_root_options, read_list, run_tool,
                               small_train_options, tool_env)

PROJECT_CONFIG = ('projects/example_plugin/configs/'
                  'onestream_vit-tiny_shared-tower-head_synthetic.py')


def _results_options(prefix: str):
    return [f'test_evaluator.outfile_prefix={prefix}']


@pytest.fixture(scope='module')
def dist_trained(synthetic_root, tmp_path_factory):
    """Work dir of a 1-epoch ``tools/dist_train.sh TINY 2`` run."""
    work = str(tmp_path_factory.mktemp('dist_train'))
    proc = run_tool(
        ['tools/dist_train.sh', TINY_CONFIG, '2', '--work-dir', work,
         '--cfg-options', *small_train_options(synthetic_root)],
        timeout=300, what='dist_train.sh', python=False,
        env=tool_env({'PYTHON': sys.executable}))
    return work, proc.stdout + proc.stderr


def test_dist_train_two_gloo_processes(dist_trained):
    work, log = dist_trained
    assert osp.isfile(osp.join(work, 'epoch_1.pth')), log[-3000:]
    if not torch.cuda.is_available():
        assert "backend='gloo'" in log or 'gloo' in log
    # 64 pairs, batch 32, 2 processes: 1 iteration per process and epoch
    assert 'Epoch(train) [1][1/1]' in log, log[-3000:]


def test_single_and_distributed_test_agree(dist_trained, synthetic_root,
                                           tmp_path):
    work, _ = dist_trained
    ckpt = osp.join(work, 'epoch_1.pth')
    val_names = read_list(osp.join(synthetic_root, 'val', 'list.txt'))
    metrics = {}
    for mode in ('single', 'dist'):
        out_dir = str(tmp_path / mode)
        opts = ['--work-dir', out_dir, '--cfg-options',
                *data_root_options(synthetic_root),
                *_results_options(osp.join(out_dir, 'results'))]
        if mode == 'single':
            run_tool(['tools/test.py', TINY_CONFIG, ckpt, *opts],
                     timeout=300, what='test.py')
        else:
            run_tool(['tools/dist_test.sh', TINY_CONFIG, ckpt, '2', *opts],
                     timeout=300, what='dist_test.sh', python=False,
                     env=tool_env({'PYTHON': sys.executable}))
        with open(osp.join(out_dir, 'metrics.json')) as f:
            metrics[mode] = json.load(f)
        # every video tracked exactly once: one result file per video, one
        # line per frame
        res_dir = osp.join(out_dir, 'results')
        assert sorted(os.listdir(res_dir)) == sorted(val_names)
        for name in val_names:
            n_frames = count_lines(
                osp.join(synthetic_root, 'val', name, 'groundtruth.txt'))
            assert count_lines(osp.join(res_dir, name,
                                        f'{name}_001.txt')) == n_frames
    for key in ('AO', 'SR0.5', 'SR0.75'):
        assert 0.0 <= metrics['single'][key] <= 1.0
        assert metrics['dist'][key] == pytest.approx(
            metrics['single'][key], abs=1e-6), (metrics, key)


def test_quickstart_short_budget(tmp_path):
    work = tmp_path / 'qs'
    run_tool(['tools/quickstart.py', '--minutes', '0.2', '--num-train', '6',
              '--num-val', '3', '--work-dir', str(work), '--data-root',
              str(tmp_path / 'data')], timeout=400, what='quickstart.py')
    with open(work / 'metrics.json') as f:
        metrics = json.load(f)
    assert set(metrics) >= {'AO', 'SR0.5', 'SR0.75', 'baseline_AO'}
    for value in metrics.values():
        assert 0.0 <= value <= 1.0
    names = read_list(str(tmp_path / 'data' / 'val' / 'list.txt'))
    assert len(names) == 3
    assert sorted(os.listdir(work / 'results')) == sorted(names)
    videos = [p for p in os.listdir(work) if p.endswith('.mp4')]
    assert videos and os.path.getsize(work / videos[0]) > 0
    assert any(p.startswith('epoch_') and p.endswith('.pth')
               for p in os.listdir(work))


def test_example_project_head_trains_via_custom_imports(synthetic_root,
                                                        tmp_path):
    work = str(tmp_path / 'work')
    proc = run_tool(
        ['tools/train.py', PROJECT_CONFIG, '--work-dir', work,
         '--cfg-options', *small_train_options(synthetic_root)],
        timeout=300, what='train.py (example project)',
        env=tool_env(pythonpath=['projects/example_plugin']))
    log = proc.stdout + proc.stderr
    assert 'SharedTowerCenterHead' in log
    from mmtrack_ext.engine import safe_torch_load
    ckpt = safe_torch_load(osp.join(work, 'epoch_1.pth'), map_location='cpu')
    # the project's head, not the inherited CenterHead, was trained
    keys = [k for k in ckpt['state_dict'] if k.startswith('head.')]
    assert any(k.startswith('head.tower.') for k in keys), keys


def test_benchmark_fps_json(tmp_path):
    out = tmp_path / 'fps.json'
    run_tool(['tools/analysis_tools/benchmark_fps.py', TINY_CONFIG,
              '--json', str(out), '--iters', '5', '--blocks', '2',
              '--warmup', '2', '--frame-size', '320', '240'],
             timeout=300, what='benchmark_fps.py')
    with open(out) as f:
        result = json.load(f)
    assert result['model_fps'] > 0 and result['e2e_fps'] > 0
    assert result['e2e_over_model_time'] == pytest.approx(
        result['model_fps'] / result['e2e_fps'], rel=1e-6)
    assert len(result['block_model_ms']) == 2


def test_quickstart_pretrains_mat_and_shows_its_reconstructions(
        synthetic_root, tmp_path):
    """A pretext config through the quickstart: trained, checkpointed,
    reconstruction losses reported on val pairs; show_reconstruction.py
    draws that checkpoint's reconstructions."""
    import cv2
    work = tmp_path / 'mat'
    proc = run_tool(
        ['tools/quickstart.py', '--config',
         'configs/mat/mat_pretrain_vit-tiny_synthetic.py', '--minutes',
         '0.1', '--num-train', '6', '--num-val', '3', '--work-dir',
         str(work), '--data-root', synthetic_root], timeout=400,
        what='quickstart.py (MAT pre-training)')
    with open(work / 'metrics.json') as f:
        metrics = json.load(f)
    for key in ('loss_template', 'loss_search', 'mean_image_template',
                'mean_image_search'):
        assert 0 < metrics[key] < 10, metrics
    ckpt = proc.stdout.split('model.backbone.pretrained=')[-1].split()[0]
    assert osp.isfile(ckpt), proc.stdout[-500:]
    out = tmp_path / 'recon.png'
    run_tool(['tools/analysis_tools/show_reconstruction.py',
              'configs/mat/mat_pretrain_vit-tiny_synthetic.py', ckpt,
              '--out', str(out), '--num-pairs', '2', '--data-root',
              synthetic_root], timeout=120, what='show_reconstruction.py')
    img = cv2.imread(str(out))
    assert img.shape == (22 + 2 * 128, 7 * 128, 3)
