"""A tracker run through VOT2020's anchor-based experiment, end to end."""
import json
import os
import os.path as osp
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import save_checkpoint

from mmtrack_ext.apis import init_tracker, run_vot_multistart
from mmtrack_ext.datasets import VOT2020Dataset
from mmtrack_ext.evaluation import evaluate_sequences, load_vot_results
from mmtrack_ext.evaluation.vot_results import vot_trajectory_path
from mmtrack_ext.structures.regions import Special, read_regions

ROOT = osp.join(osp.dirname(__file__), '..', '..')
CONFIG = osp.join(ROOT, 'configs', 'onestream',
                  'onestream_vit-tiny-p8_center_synthetic.py')


def _write_vot(root, lengths=(14, 9)):
    """Rectangles moving over noise, anchors on frame 0 (forward) and, in the
    first sequence, frame 12 (backward)."""
    rng = np.random.default_rng(0)
    names = []
    for i, n in enumerate(lengths):
        name = f'seq{i}'
        d = osp.join(root, name, 'color')
        os.makedirs(d)
        lines = []
        for f in range(n):
            img = rng.integers(0, 255, (72, 96, 3), dtype=np.uint8)
            x, y = 20 + 2 * f, 18 + f
            img[y:y + 16, x:x + 20] = (30, 200, 90)
            cv2.imwrite(osp.join(d, f'{f + 1:08d}.jpg'), img)
            lines.append(f'{x},{y},20,16')
        with open(osp.join(root, name, 'groundtruth.txt'), 'w') as fh:
            fh.write('\n'.join(lines) + '\n')
        anchors = np.zeros(n)
        anchors[0] = 1
        if i == 0 and n > 12:
            anchors[12] = -1
        with open(osp.join(root, name, 'anchor.value'), 'w') as fh:
            fh.write(''.join(f'{v:g}\n' for v in anchors))
        names.append(name)
    with open(osp.join(root, 'list.txt'), 'w') as fh:
        fh.write('\n'.join(names) + '\n')


def test_every_anchor_is_tracked_once_and_scored(tmp_path):
    _write_vot(str(tmp_path / 'vot'))
    dataset = VOT2020Dataset(data_root=str(tmp_path / 'vot'), test_mode=True)
    torch.manual_seed(0)
    model = init_tracker(Config.fromfile(CONFIG))
    out = str(tmp_path / 'results')
    counts = run_vot_multistart(model, dataset, out)
    assert counts == dict(tracked=3, skipped=0)
    forward = read_regions(vot_trajectory_path(out, 'seq0', 0))
    backward = read_regions(vot_trajectory_path(out, 'seq0', 12))
    assert len(forward) == 14 and len(backward) == 13
    assert forward[0] == Special(1) and backward[0] == Special(1)
    times = open(osp.join(out, 'seq0', 'seq0_00000012_time.value')).read()
    assert len(times.split()) == 13
    result = evaluate_sequences('vot2020', load_vot_results(out, dataset))
    assert set(result['overall']) >= {'EAO', 'A', 'R'}
    assert all(0 <= result['overall'][k] <= 1 for k in ('EAO', 'A', 'R'))
    # a second run reuses complete fragments and redoes a truncated one
    path = vot_trajectory_path(out, 'seq1', 0)
    with open(path) as fh:
        kept = fh.read().splitlines()[:4]
    with open(path, 'w') as fh:
        fh.write('\n'.join(kept) + '\n')
    assert run_vot_multistart(model, dataset, out) == dict(tracked=1,
                                                           skipped=2)
    assert len(read_regions(path)) == 9


def test_anchor_without_a_target_box_is_refused(tmp_path):
    _write_vot(str(tmp_path / 'vot'), lengths=(6, ))
    gt = tmp_path / 'vot' / 'seq0' / 'groundtruth.txt'
    lines = gt.read_text().splitlines()
    lines[0] = '0,0,0,0'
    gt.write_text('\n'.join(lines) + '\n')
    dataset = VOT2020Dataset(data_root=str(tmp_path / 'vot'), test_mode=True)
    model = init_tracker(Config.fromfile(CONFIG))
    with pytest.raises(ValueError, match='seq0: anchor frame 0'):
        run_vot_multistart(model, dataset, str(tmp_path / 'results'))


def test_run_vot2020_tool(tmp_path):
    sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis_tools'))
    try:
        import run_vot2020
    finally:
        sys.path.pop(0)
    _write_vot(str(tmp_path / 'vot'), lengths=(8, ))
    model = init_tracker(Config.fromfile(CONFIG))
    ckpt = str(tmp_path / 'tiny.pth')
    save_checkpoint(dict(state_dict=model.state_dict()), ckpt)
    report = str(tmp_path / 'vot2020.json')
    assert run_vot2020.main([
        CONFIG, ckpt, '--data-root', str(tmp_path / 'vot'), '--out',
        str(tmp_path / 'results'), '--json', report]) == 0
    data = json.load(open(report))
    assert data['protocol'] == 'vot2020' and data['fragments']['tracked'] == 1
    assert set(data['overall']) >= {'EAO', 'A', 'R'}
    assert list(data['per_sequence']) == ['seq0']
    # the stored fragments score the same through eval_results
    sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis_tools'))
    try:
        import eval_results
    finally:
        sys.path.pop(0)
    again = str(tmp_path / 'again.json')
    assert eval_results.main([
        '--benchmark', 'vot2020', '--data-root', str(tmp_path / 'vot'),
        '--results', str(tmp_path / 'results'), '--json', again]) == 0
    assert json.load(open(again))['overall'] == data['overall']
