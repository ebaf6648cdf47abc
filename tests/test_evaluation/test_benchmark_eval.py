"""Every benchmark of ``BENCHMARKS`` through ``eval_results.py`` on tiny
fixtures in the official layouts: the JSON report equals the protocol run
on the same boxes; other toolkits' result names are found; problems are
named; protocols that are not registered yet skip."""
import importlib.util
import json
import os
import os.path as osp

import numpy as np
import pytest

from mmtrack_ext.datasets.benchmark_meta import read_meta_names
from mmtrack_ext.evaluation import (BENCHMARKS, default_protocol,
                                    evaluate_raw_results,
                                    evaluate_sequences, get_protocol,
                                    load_ground_truth)
from mmtrack_ext.registry import DATASETS

import sot_fixtures as fx  # noqa: I100

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FRACTIONS = ('AO', 'SR0.5', 'SR0.75', 'AUC', 'P', 'P_norm', 'OP50', 'OP75')


def load_tool(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(ROOT, 'tools', 'analysis_tools', f'{name}.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


@pytest.fixture(scope='module')
def eval_tool():
    return load_tool('eval_results')


def need_protocol(name):
    try:
        get_protocol(name)
    except KeyError:
        pytest.skip(f'protocol {name!r} is not registered yet')


def run_cli(tool, tmp_path, benchmark, data_root, results, *extra):
    out = tmp_path / f'{benchmark}.json'
    code = tool.main(['--benchmark', benchmark, '--data-root', str(data_root),
                      '--results', str(results), '--json', str(out),
                      *extra])
    assert code == 0
    report = json.loads(out.read_text())
    assert set(report) >= {'benchmark', 'protocol', 'overall',
                           'per_sequence', 'load_seconds', 'eval_seconds',
                           'problems', 'excluded'}
    assert report['benchmark'] == benchmark
    # NaN only where NaN predictions are reported (got10k: AO NaN, as the
    # toolkit)
    nan_ok = bool(report['problems']['nan_rows'])
    for metrics in [report['overall'], *report['per_sequence'].values()]:
        for k, v in metrics.items():
            if k in FRACTIONS:
                assert 0.0 <= v <= 1.0 or (nan_ok and np.isnan(v)), (k, v)
    return report


def assert_same(report, expected, keys):
    for k in keys:
        assert report['overall'][k] == pytest.approx(
            expected['overall'][k], abs=1e-12), k
    for seq, m in expected['per_sequence'].items():
        for k in keys:
            assert report['per_sequence'][seq][k] == pytest.approx(
                m[k], abs=1e-12, nan_ok=True), (seq, k)


def direct(protocol, gts, preds, keys=('gt', ), **options):
    return evaluate_sequences(protocol, {
        n: dict({k: g[k] for k in keys if k in g}, pred=preds[n])
        for n, g in gts.items()
    }, **options)


def test_every_loader_is_a_benchmark():
    types = {spec.dataset['type'] for spec in BENCHMARKS.values()}
    for t in ('GOT10kDataset', 'LaSOTDataset', 'LaSOTExtDataset',
              'TrackingNetDataset', 'TNL2KDataset', 'NFSDataset',
              'OTB100Dataset', 'UAV123Dataset', 'VOT2020Dataset'):
        assert t in types
        assert DATASETS.get(t) is not None
    # the default protocol (and its options) is DEFAULT_PROTOCOLS'
    expected = {'got10k': ('val', 'got10k', {}, 'got10k'),
                'lasot': ('test', 'ostrack', {'dataset': 'lasot'},
                          'pytracking'),
                'lasot_ext': ('test', 'ostrack',
                              {'dataset': 'lasot_extension_subset'},
                              'pytracking'),
                'trackingnet': ('test', 'trackingnet', {}, 'pytracking'),
                'tnl2k': ('test', 'ostrack', {}, 'pytracking'),
                'nfs': (None, 'ostrack', {}, 'pytracking'),
                'otb100': (None, 'ostrack', {}, 'pytracking'),
                'uav123': (None, 'uav', {}, 'pytracking'),
                'vot2020': (None, 'vot2020', {}, 'vot')}
    for name, want in expected.items():
        spec = BENCHMARKS[name]
        got = (spec.split, spec.protocol, spec.protocol_options, spec.layout)
        assert got == want, name
        assert default_protocol(name) == (spec.protocol,
                                          spec.protocol_options)


def test_got10k_val(eval_tool, tmp_path):
    gts = fx.make_got10k(str(tmp_path / 'got10k'))
    preds = {n: fx.noisy(g['gt'], i) for i, (n, g) in enumerate(gts.items())}
    fx.write_results(str(tmp_path / 'res'), preds, layout='got10k', sep=' ')
    report = run_cli(eval_tool, tmp_path, 'got10k', tmp_path / 'got10k',
                     tmp_path / 'res')
    assert report['protocol'] == 'got10k' and report['split'] == 'val'
    exp = direct('got10k', gts, preds, ('gt', 'cover', 'absent',
                                        'resolution'))
    assert_same(report, exp, ('AO', 'SR0.5', 'SR0.75'))
    # the GOT-10k test split is scored by the server only
    fx.make_got10k(str(tmp_path / 'got10k'), split='test',
                   first_box_only=True)
    assert eval_tool.main(['--benchmark', 'got10k', '--data-root',
                           str(tmp_path / 'got10k'), '--split', 'test',
                           '--results', str(tmp_path / 'res')]) == 1


def test_lasot_visibility_and_subset(eval_tool, tmp_path):
    names = ['airplane-1', 'zebra-17']
    assert {n for _, n in read_meta_names('lasot_test.txt')} >= set(names)
    gts = fx.make_lasot(str(tmp_path / 'lasot'), names)
    preds = {n: fx.noisy(g['gt'], i) for i, (n, g) in enumerate(gts.items())}
    fx.write_results(str(tmp_path / 'res'), preds, sep='\t')
    report = run_cli(eval_tool, tmp_path, 'lasot', tmp_path / 'lasot',
                     tmp_path / 'res', '--dataset-options',
                     f'sequence_list=[{",".join(names)}]')
    assert report['protocol'] == 'ostrack'
    # OSTrack's LaSOT mode: target_visible is handed to the protocol
    exp = direct('ostrack', gts, preds, ('gt', 'target_visible'),
                 dataset='lasot')
    assert_same(report, exp, ('AUC', 'P', 'P_norm'))
    without = direct('ostrack', gts, preds)
    assert without['overall']['P_norm'] != exp['overall']['P_norm']
    # another protocol named explicitly does not take LaSOT's options
    report = run_cli(eval_tool, tmp_path, 'lasot', tmp_path / 'lasot',
                     tmp_path / 'res', '--protocol', 'pytracking',
                     '--dataset-options',
                     f'sequence_list=[{",".join(names)}]')
    assert_same(report, direct('pytracking', gts, preds,
                               ('gt', 'target_visible')),
                ('AUC', 'P', 'P_norm'))


def test_lasot_ext_full_split(eval_tool, tmp_path):
    names = [n for _, n in read_meta_names('lasot_ext.txt')]
    gts = fx.make_lasot(str(tmp_path / 'ext'), names, n=4)
    preds = {n: fx.noisy(g['gt'], i) for i, (n, g) in enumerate(gts.items())}
    fx.write_results(str(tmp_path / 'res'), preds)
    report = run_cli(eval_tool, tmp_path, 'lasot_ext', tmp_path / 'ext',
                     tmp_path / 'res', '--protocol', 'ostrack')
    assert report['num_sequences'] == 150
    assert_same(report, direct('ostrack', gts, preds), ('AUC', 'P'))


def test_trackingnet(eval_tool, tmp_path):
    root = tmp_path / 'trackingnet'
    gts = fx.make_trackingnet(str(root))
    fx.make_trackingnet(str(root), 'TEST', first_box_only=True)
    preds = {n: fx.noisy(g['gt'], i) for i, (n, g) in enumerate(gts.items())}
    fx.write_results(str(tmp_path / 'res'), preds)
    report = run_cli(eval_tool, tmp_path, 'trackingnet', root,
                     tmp_path / 'res', '--split', 'train', '--protocol',
                     'ostrack', '--dataset-options', 'chunks=[0]')
    assert_same(report, direct('ostrack', gts, preds), ('AUC', 'P'))
    with pytest.raises(ValueError, match='cannot be evaluated offline'):
        evaluate_raw_results('trackingnet', str(root), str(tmp_path / 'res'),
                             protocol='ostrack')


def test_trackingnet_default_protocol(eval_tool, tmp_path):
    need_protocol('trackingnet')
    root = tmp_path / 'trackingnet'
    gts = fx.make_trackingnet(str(root))
    preds = {n: fx.noisy(g['gt'], i) for i, (n, g) in enumerate(gts.items())}
    fx.write_results(str(tmp_path / 'res'), preds)
    report = run_cli(eval_tool, tmp_path, 'trackingnet', root,
                     tmp_path / 'res', '--split', 'train',
                     '--dataset-options', 'chunks=[0]')
    assert report['protocol'] == 'trackingnet'
    assert_same(report, direct('trackingnet', gts, preds), ('AUC', 'P'))


def test_tnl2k_and_named_problems(eval_tool, tmp_path, capsys):
    names = ('advSamp_Baseball_video_01', 'Cartoon_01', 'INF_bus',
             'Sports_goal')
    gts = fx.make_tnl2k(str(tmp_path / 'tnl2k'), names)
    preds = {n: fx.noisy(g['gt'], i) for i, (n, g) in enumerate(gts.items())}
    fx.write_results(str(tmp_path / 'res'), preds)
    report = run_cli(eval_tool, tmp_path, 'tnl2k', tmp_path / 'tnl2k',
                     tmp_path / 'res')
    assert_same(report, direct('pytracking', gts, preds), ('AUC', 'P'))
    # missing, short and NaN results are named, never averaged silently
    os.remove(tmp_path / 'res' / 'Cartoon_01.txt')
    fx.write_text(str(tmp_path / 'res' / 'INF_bus.txt'),
                  fx.box_lines(preds['INF_bus'][:-1]))
    bad = preds['Sports_goal'].copy()
    bad[4] = np.nan
    fx.write_text(str(tmp_path / 'res' / 'Sports_goal.txt'),
                  fx.box_lines(bad))
    assert eval_tool.main(['--benchmark', 'tnl2k', '--data-root',
                           str(tmp_path / 'tnl2k'), '--results',
                           str(tmp_path / 'res'), '--protocol',
                           'got10k']) == 1
    err = capsys.readouterr().err
    assert 'Cartoon_01' in err and 'INF_bus: 8 lines for 9 frames' in err
    report = run_cli(eval_tool, tmp_path, 'tnl2k', tmp_path / 'tnl2k',
                     tmp_path / 'res', '--protocol', 'got10k',
                     '--skip-invalid')
    assert report['excluded'] == ['Cartoon_01', 'INF_bus']
    assert report['problems']['missing'] == ['Cartoon_01']
    assert report['problems']['wrong_length'] == {
        'INF_bus': dict(lines=8, frames=9)}
    assert report['problems']['nan_rows'] == {'Sports_goal': [4]}
    assert sorted(report['per_sequence']) == [
        'Sports_goal', 'advSamp_Baseball_video_01']
    assert report['num_sequences'] == 2


def test_nfs_with_pytracking_names(eval_tool, tmp_path):
    gts = fx.make_nfs(str(tmp_path / 'nfs'))
    preds = {n: fx.noisy(g['gt'], i) for i, (n, g) in enumerate(gts.items())}
    # pytracking writes nfs_{name}.txt; one file under our own name
    fx.write_results(str(tmp_path / 'res'), preds,
                     names={'car_jumping': 'nfs_car_jumping'})
    report = run_cli(eval_tool, tmp_path, 'nfs', tmp_path / 'nfs',
                     tmp_path / 'res', '--dataset-options',
                     'sequence_list=[car_jumping,shuffleboard_5]')
    assert report['split'] is None and report['protocol'] == 'ostrack'
    assert_same(report, direct('ostrack', gts, preds), ('AUC', 'P'))
    with pytest.raises(ValueError, match='no splits'):
        load_ground_truth('nfs', str(tmp_path / 'nfs'), 'test')


@pytest.fixture
def otb(tmp_path):
    gts = fx.make_otb(str(tmp_path / 'otb'))
    preds = {n: fx.noisy(g['gt'], i) for i, (n, g) in enumerate(gts.items())}
    # pytracking's Jogging_1 and pysot's Jogging-2
    fx.write_results(str(tmp_path / 'res'), preds,
                     names={'Jogging.1': 'Jogging_1',
                            'Jogging.2': 'Jogging-2'})
    return gts, preds, ['--dataset-options',
                        'sequence_list=[Deer,Jogging.1,Jogging.2]']


def test_otb100_names_and_attributes(eval_tool, tmp_path, otb):
    gts, preds, subset = otb
    report = run_cli(eval_tool, tmp_path, 'otb100', tmp_path / 'otb',
                     tmp_path / 'res', '--protocol', 'ostrack',
                     '--per-attribute', '--curves', *subset)
    assert_same(report, direct('ostrack', gts, preds), ('AUC', 'P'))
    per_att = report['per_attribute']
    # OCC: the two Jogging targets; MB: Deer only
    assert per_att['OCC']['sequences'] == ['Jogging.1', 'Jogging.2']
    assert per_att['OCC']['name'] == 'Occlusion'
    occ = direct('ostrack', {k: gts[k] for k in ('Jogging.1', 'Jogging.2')},
                 preds)
    assert per_att['OCC']['overall']['AUC'] == pytest.approx(
        occ['overall']['AUC'], abs=1e-12)
    assert per_att['MB']['num_sequences'] == 1
    assert 'IV' not in per_att  # no sequence of the subset has it
    assert len(report['curves']['success']) == 21


def test_otb100_default_and_got10k_toolkit_protocols(eval_tool, tmp_path,
                                                     otb):
    gts, preds, subset = otb
    report = run_cli(eval_tool, tmp_path, 'otb100', tmp_path / 'otb',
                     tmp_path / 'res', *subset)
    assert report['protocol'] == 'ostrack'
    assert_same(report, direct('ostrack', gts, preds), ('AUC', 'P'))
    report = run_cli(eval_tool, tmp_path, 'otb100', tmp_path / 'otb',
                     tmp_path / 'res', '--protocol', 'otb', *subset)
    assert_same(report, direct('otb', gts, preds), ('AUC', 'P'))


def test_uav123_names_and_attributes(eval_tool, tmp_path):
    flags = [1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0]
    gts = fx.make_uav(str(tmp_path / 'uav'), attributes={'uav2': flags})
    preds = {n: fx.noisy(g['gt'], i) for i, (n, g) in enumerate(gts.items())}
    fx.write_results(str(tmp_path / 'res'), preds,
                     names={'uav6': 'uav_uav6'})
    report = run_cli(eval_tool, tmp_path, 'uav123', tmp_path / 'uav',
                     tmp_path / 'res', '--protocol', 'ostrack',
                     '--per-attribute', '--dataset-options',
                     'sequence_list=[uav2,uav6]')
    assert_same(report, direct('ostrack', gts, preds), ('AUC', 'P'))
    assert sorted(report['per_attribute']) == ['CM', 'LR', 'SV', 'VC']
    assert report['per_attribute']['SV']['sequences'] == ['uav2']


def test_uav123_default_protocol_with_nan_gt(eval_tool, tmp_path):
    need_protocol('uav')
    gts = fx.make_uav(str(tmp_path / 'uav'), nan_rows=True)
    preds = {n: fx.noisy(g['gt'], i) for i, (n, g) in enumerate(gts.items())}
    fx.write_results(str(tmp_path / 'res'), preds)
    report = run_cli(eval_tool, tmp_path, 'uav123', tmp_path / 'uav',
                     tmp_path / 'res', '--dataset-options',
                     'sequence_list=[uav2,uav6]')
    assert report['protocol'] == 'uav'
    assert_same(report, direct('uav', gts, preds), ('AUC', 'P'))


def test_unknown_protocol_is_a_clear_error(eval_tool, tmp_path, capsys):
    gts = fx.make_got10k(str(tmp_path / 'got10k'))
    preds = {n: fx.noisy(g['gt'], 0) for n, g in gts.items()}
    fx.write_results(str(tmp_path / 'res'), preds, layout='got10k')
    assert eval_tool.main(['--benchmark', 'got10k', '--data-root',
                           str(tmp_path / 'got10k'), '--results',
                           str(tmp_path / 'res'), '--protocol',
                           'no_such_protocol']) == 1
    assert 'unknown SOT protocol' in capsys.readouterr().err
