"""Offline evaluation of raw result folders (``eval_results.py``)."""
import importlib.util
import json
import os
import os.path as osp

import numpy as np
import pytest

from mmtrack_ext.evaluation import (evaluate_raw_results, evaluate_sequences,
                                    write_times)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def bench(tmp_path_factory):
    """3 synthetic val videos and their ground truth (xywh)."""
    from mmtrack_ext.datasets import make_synthetic_dataset
    root = str(tmp_path_factory.mktemp('bench'))
    make_synthetic_dataset(root, num_train=0, num_val=3, seed=3,
                           length_range=(20, 30), num_workers=1,
                           verbose=False)
    names = [n.strip() for n in open(osp.join(root, 'val', 'list.txt'))
             if n.strip()]
    gts = {}
    for n in names:
        d = osp.join(root, 'val', n)
        gts[n] = dict(
            gt=np.loadtxt(osp.join(d, 'groundtruth.txt'), delimiter=','),
            cover=np.loadtxt(osp.join(d, 'cover.label')),
            absent=np.loadtxt(osp.join(d, 'absence.label')),
            resolution=(320, 240))
    return root, gts


def _noisy(gt, seed):
    rng = np.random.default_rng(seed)
    return gt + rng.normal(0, 4, gt.shape)


def _write(folder, gts, layout='got10k', reps=1, sep=','):
    preds = {}
    for i, (n, g) in enumerate(gts.items()):
        runs = [_noisy(g['gt'], 10 * i + r) for r in range(reps)]
        preds[n] = runs if reps > 1 else runs[0]
        for r, p in enumerate(runs, 1):
            if layout == 'got10k':
                path = osp.join(folder, n, f'{n}_{r:03d}.txt')
            else:
                path = osp.join(folder, f'{n}.txt')
            os.makedirs(osp.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                for row in p:
                    f.write(sep.join(f'{v:.4f}' for v in row) + '\n')
    return preds


def test_got10k_layout_with_repetitions_equals_direct(bench, tmp_path):
    root, gts = bench
    preds = _write(str(tmp_path), gts, reps=3)
    report = evaluate_raw_results('synthetic', root, str(tmp_path))
    direct = evaluate_sequences('got10k', {
        n: dict(g, pred=[np.round(p, 4) for p in preds[n]])
        for n, g in gts.items()
    })
    assert report['protocol'] == 'got10k' and report['split'] == 'val'
    for k in ('AO', 'SR0.5', 'SR0.75'):
        assert report['overall'][k] == pytest.approx(direct['overall'][k],
                                                     abs=1e-12)
    assert set(report['per_sequence']) == set(gts)
    assert report['excluded'] == [] and report['num_sequences'] == 3
    assert report['load_seconds'] >= 0 and report['eval_seconds'] >= 0


def test_pytracking_layout_tabs_and_ope_protocol(bench, tmp_path):
    root, gts = bench
    preds = _write(str(tmp_path), gts, layout='pytracking', sep='\t')
    report = evaluate_raw_results('synthetic', root, str(tmp_path),
                                  protocol='ostrack')
    direct = evaluate_sequences('ostrack', {
        n: dict(g, pred=np.round(preds[n], 4))
        for n, g in gts.items()
    })
    for k in ('AUC', 'P', 'P_norm'):
        assert report['overall'][k] == pytest.approx(direct['overall'][k],
                                                     abs=1e-12)


def test_problems_are_named(bench, tmp_path):
    root, gts = bench
    _write(str(tmp_path), gts)
    names = sorted(gts)
    # missing, wrong line count, NaN row
    os.remove(osp.join(tmp_path, names[0], f'{names[0]}_001.txt'))
    os.rmdir(osp.join(tmp_path, names[0]))
    short = osp.join(tmp_path, names[1], f'{names[1]}_001.txt')
    lines = open(short).read().splitlines()
    open(short, 'w').write('\n'.join(lines[:-2]) + '\n')
    nan_file = osp.join(tmp_path, names[2], f'{names[2]}_001.txt')
    lines = open(nan_file).read().splitlines()
    lines[5] = 'nan,nan,nan,nan'
    open(nan_file, 'w').write('\n'.join(lines) + '\n')
    with pytest.raises(ValueError) as e:
        evaluate_raw_results('synthetic', root, str(tmp_path))
    msg = str(e.value)
    assert names[0] in msg and names[1] in msg and 'lines for' in msg
    report = evaluate_raw_results('synthetic', root, str(tmp_path),
                                  skip_invalid=True)
    assert report['excluded'] == sorted(names[:2])
    assert list(report['per_sequence']) == [names[2]]
    assert report['problems']['missing'] == [names[0]]
    assert report['problems']['wrong_length'][names[1]] == dict(
        lines=len(gts[names[1]]['gt']) - 2, frames=len(gts[names[1]]['gt']))
    assert report['problems']['nan_rows'] == {names[2]: [5]}


def test_cli_writes_json_and_refuses_bad_sets(bench, tmp_path, capsys):
    spec = importlib.util.spec_from_file_location(
        'eval_results',
        osp.join(ROOT, 'tools', 'analysis_tools', 'eval_results.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    root, gts = bench
    res = tmp_path / 'res'
    preds = _write(str(res), gts)
    for n, p in preds.items():
        write_times(osp.join(res, n, f'{n}_time.txt'), np.full(len(p), 0.01))
    out = tmp_path / 'out.json'
    assert tool.main(['--benchmark', 'synthetic', '--data-root', root,
                      '--results', str(res), '--json', str(out)]) == 0
    report = json.loads(out.read_text())
    assert set(report) >= {'benchmark', 'protocol', 'overall',
                           'per_sequence', 'load_seconds', 'eval_seconds'}
    assert report['overall']['FPS'] == pytest.approx(100.0)
    assert 'AO (%)' in capsys.readouterr().out
    assert tool.main(['--benchmark', 'synthetic', '--data-root', root,
                      '--results', str(tmp_path / 'nowhere')]) == 1
    with pytest.raises(KeyError, match='unknown benchmark'):
        evaluate_raw_results('lasot-typo', root, str(res))


def test_split_without_annotations_is_refused(bench, tmp_path):
    root, gts = bench
    test_root = tmp_path / 'bench'
    import shutil
    shutil.copytree(osp.join(root, 'val'), test_root / 'test')
    for n in gts:  # the GOT-10k test split ships the first box only
        gt_file = test_root / 'test' / n / 'groundtruth.txt'
        gt_file.write_text(gt_file.read_text().splitlines()[0] + '\n')
    res = tmp_path / 'res'
    _write(str(res), gts)
    with pytest.raises(ValueError, match='cannot be evaluated offline'):
        evaluate_raw_results('got10k', str(test_root), str(res),
                             split='test')
