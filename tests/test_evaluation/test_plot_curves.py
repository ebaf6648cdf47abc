"""``plot_curves.py``: PNG success / precision plots whose legends hold the
protocol's metrics, overall and per attribute."""
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest

from mmtrack_ext.evaluation import evaluate_raw_results, evaluate_sequences
from mmtrack_ext.visualization import legend_scores, plot_curve

import sot_fixtures as fx  # noqa: I100

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PNG = b'\x89PNG\r\n\x1a\n'


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location(
        'plot_curves',
        osp.join(ROOT, 'tools', 'analysis_tools', 'plot_curves.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def is_png(path):
    with open(path, 'rb') as f:
        return f.read(8) == PNG


def test_otb_trackers_overall_and_per_attribute(tmp_path, tool, capsys):
    root = str(tmp_path / 'otb')
    gts = fx.make_otb(root)
    subset = 'sequence_list=[Deer,Jogging.1,Jogging.2]'
    folders = {}
    for k, sigma in (('good', 1.5), ('bad', 6.0)):
        preds = {n: fx.noisy(g['gt'], i, sigma)
                 for i, (n, g) in enumerate(gts.items())}
        folders[k] = str(tmp_path / k)
        fx.write_results(folders[k], preds)
    out = str(tmp_path / 'plots')
    assert tool.main(['--benchmark', 'otb100', '--data-root', root,
                      '--protocol', 'ostrack', '--out-dir', out,
                      '--tracker', f'Good={folders["good"]}',
                      '--tracker', f'Bad={folders["bad"]}',
                      '--dataset-options', subset]) == 0
    summary = json.load(open(osp.join(out, 'curves.json')))
    assert summary['protocol'] == 'ostrack'
    assert set(summary['plots']) == {'success', 'precision',
                                     'norm_precision'}
    reports = {
        name: evaluate_raw_results(
            'otb100', root, folders[k], protocol='ostrack',
            dataset_options=dict(
                sequence_list=['Deer', 'Jogging.1', 'Jogging.2']),
            per_attribute=True)
        for name, k in (('Good', 'good'), ('Bad', 'bad'))
    }
    for plot, metric in (('success', 'AUC'), ('precision', 'P'),
                         ('norm_precision', 'P_norm')):
        entry = summary['plots'][plot]
        assert entry['metric'] == metric
        assert is_png(entry['file'])
        assert entry['file'] == osp.join(out, f'otb100_{plot}.png')
        shown = legend_scores(entry['legend'])
        for name, rep in reports.items():
            assert shown[name] == round(100 * rep['overall'][metric], 2)
        # best tracker first
        assert entry['legend'][0].startswith('Good')
    # per attribute: the OTB codes the three sequences have
    codes = set(summary['per_attribute'])
    assert codes == {'OCC', 'DEF', 'OPR', 'MB', 'FM', 'IPR', 'BC', 'LR'}
    occ = summary['per_attribute']['OCC']
    assert occ['num_sequences'] == 2 and occ['name'] == 'Occlusion'
    success = occ['plots']['success']
    assert is_png(success['file'])
    assert success['file'] == osp.join(out, 'otb100_OCC_success.png')
    shown = legend_scores(success['legend'])
    for name, rep in reports.items():
        assert shown[name] == round(
            100 * rep['per_attribute']['OCC']['overall']['AUC'], 2)
    assert '27 plots written' in capsys.readouterr().out


def test_got10k_success_plot_shows_ao(tmp_path, tool):
    root = str(tmp_path / 'got10k')
    gts = fx.make_got10k(root, lengths=(14, 10, 12))
    folders = []
    for t in range(3):
        preds = {n: fx.noisy(g['gt'], 10 * t + i, 1.0 + 2 * t)
                 for i, (n, g) in enumerate(gts.items())}
        folders.append(str(tmp_path / f'res{t}'))
        fx.write_results(folders[-1], preds, layout='got10k')
    out = str(tmp_path / 'plots')
    assert tool.main(['--benchmark', 'got10k', '--data-root', root,
                      '--out-dir', out] +
                     [a for t, f in enumerate(folders)
                      for a in ('--tracker', f'T{t}={f}')]) == 0
    summary = json.load(open(osp.join(out, 'curves.json')))
    assert list(summary['plots']) == ['success']  # no precision in got10k
    entry = summary['plots']['success']
    assert entry['metric'] == 'AO' and is_png(entry['file'])
    shown = legend_scores(entry['legend'])
    for t, folder in enumerate(folders):
        ao = evaluate_raw_results('got10k', root, folder)['overall']['AO']
        assert shown[f'T{t}'] == round(100 * ao, 2)
    assert summary['per_attribute'] == {}


def test_plot_curve_legend_is_what_is_drawn(tmp_path):
    seqs = {'a': dict(gt=fx.gt_boxes(20, 0), pred=fx.noisy(
        fx.gt_boxes(20, 0), 1))}
    res = evaluate_sequences('ostrack', seqs)
    curves = res['curves']
    legend = plot_curve(str(tmp_path / 'p.png'), [
        ('x', curves['overlap_thresholds'], curves['success'],
         res['overall']['AUC']),
        ('y', curves['overlap_thresholds'], curves['success'] * 0.5,
         np.mean(curves['success'] * 0.5)),
    ], 'title', 'overlap', 'success', 'AUC')
    assert legend == [f'x [{100 * res["overall"]["AUC"]:.2f}]',
                      f'y [{100 * np.mean(curves["success"]) / 2:.2f}]']
    assert is_png(str(tmp_path / 'p.png'))


def test_bad_tracker_argument(tool, capsys):
    with pytest.raises(SystemExit):
        tool.parse_args(['--benchmark', 'got10k', '--data-root', 'x',
                         '--out-dir', 'y', '--tracker', 'no_equals_sign'])
