"""Server packages for GOT-10k and TrackingNet: packing from either layout,
and the checker naming every problem."""
import importlib.util
import os
import os.path as osp
import zipfile

import pytest

from mmtrack_ext.evaluation import (SubmissionError, check_submission,
                                    expected_test_sequences, pack_submission)

import sot_fixtures as fx  # noqa: I100

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location(
        'pack_submission',
        osp.join(ROOT, 'tools', 'analysis_tools', 'pack_submission.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def got10k_results(folder, names_lengths, reps=1, times=True, sep=','):
    for i, (name, n) in enumerate(names_lengths.items()):
        for r in range(1, reps + 1):
            fx.write_text(osp.join(folder, name, f'{name}_{r:03d}.txt'),
                          fx.box_lines(fx.gt_boxes(n, i + r), sep))
        if times:
            fx.write_text(osp.join(folder, name, f'{name}_time.txt'),
                          '0.0125\n' * n)


def make_zip(path, members):
    with zipfile.ZipFile(path, 'w') as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return str(path)


def test_got10k_pack_with_data_root(tmp_path, tool, capsys):
    root = str(tmp_path / 'got10k')
    gts = fx.make_got10k(root, split='test', lengths=(6, 4, 5),
                         first_box_only=True)
    expected = expected_test_sequences('got10k', root)
    assert expected == {n: len(g['gt']) for n, g in gts.items()}
    res = str(tmp_path / 'res')
    got10k_results(res, expected, reps=3, sep='\t')
    fx.write_text(osp.join(res, 'notes.txt'), 'not a result\n')
    out = str(tmp_path / 'sub' / 'got10k.zip')
    assert tool.main(['--benchmark', 'got10k', '--results', res, '--out',
                      out, '--data-root', root]) == 0
    with zipfile.ZipFile(out) as zf:
        names = sorted(zf.namelist())
        first = sorted(expected)[0]
        text = zf.read(f'{first}/{first}_001.txt').decode()
    assert len(names) == 3 * 4  # 3 repetitions + time file per sequence
    assert all(n.count('/') == 1 for n in names)
    assert '\t' not in text and text.splitlines()[0].count(',') == 3
    # the values are kept as written
    src = open(osp.join(res, first, f'{first}_001.txt')).read()
    assert text == src.replace('\t', ',')
    assert 'valid got10k submission, 3 sequences' in capsys.readouterr().out
    assert tool.main(['--benchmark', 'got10k', '--check', out,
                      '--data-root', root]) == 0
    # without data_root the set must have the 180 test sequences
    report = check_submission('got10k', out)
    assert report.problems == ['3 sequences, the got10k test set has 180']


def test_got10k_pack_without_data_root_from_pytracking_layout(tmp_path):
    res = str(tmp_path / 'res')
    names = {f'GOT-10k_Test_{i:06d}': 3 + i % 4 for i in range(1, 181)}
    for i, (name, n) in enumerate(names.items()):
        fx.write_text(osp.join(res, f'{name}.txt'),
                      fx.box_lines(fx.gt_boxes(n, i)))
        fx.write_text(osp.join(res, f'{name}_time.txt'), '0.02\n' * n)
    out = str(tmp_path / 'got10k.zip')
    report = pack_submission('got10k', res, out)
    assert report.ok and len(report.sequences) == 180
    with zipfile.ZipFile(out) as zf:
        assert 'GOT-10k_Test_000007/GOT-10k_Test_000007_001.txt' in \
            zf.namelist()
        assert 'GOT-10k_Test_000007/GOT-10k_Test_000007_time.txt' in \
            zf.namelist()
    # a missing time file and a bad value are refused; nothing is written
    os.remove(osp.join(res, 'GOT-10k_Test_000003_time.txt'))
    fx.write_text(osp.join(res, 'GOT-10k_Test_000004.txt'),
                  '1,2,3,4\nnan,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n'
                  '1,2,3,4\n1,2,3,4\n')
    bad_out = str(tmp_path / 'bad.zip')
    with pytest.raises(SubmissionError) as e:
        pack_submission('got10k', res, bad_out)
    problems = e.value.report.problems
    assert ('GOT-10k_Test_000003: no GOT-10k_Test_000003/'
            'GOT-10k_Test_000003_time.txt' in problems[0])
    assert any('GOT-10k_Test_000004_001.txt: line 2 is not finite' in p
               for p in problems)
    assert any('GOT-10k_Test_000004: files with different line counts' in p
               for p in problems)
    assert not osp.exists(bad_out)
    assert [f for f in os.listdir(tmp_path) if f.endswith('.tmp')] == []


def test_got10k_checker_names_every_problem(tmp_path):
    root = str(tmp_path / 'got10k')
    gts = fx.make_got10k(root, split='test', lengths=(3, 3, 3, 3),
                         first_box_only=True)
    a, b, c, d = sorted(gts)
    ok = '1,2,3,4\n' * 3
    t = '0.01\n' * 3
    members = {
        # a: fine, with a directory entry
        f'{a}/': '',
        f'{a}/{a}_001.txt': ok, f'{a}/{a}_time.txt': t,
        # b: space separated, a missing repetition number, short
        f'{b}/{b}_001.txt': '1 2 3 4\n1,2,3,4\n',
        f'{b}/{b}_003.txt': ok, f'{b}/{b}_time.txt': t,
        # c: not numeric, 5 values, empty line inside; a stray file
        f'{c}/{c}_001.txt': '1,2,3,x\n1,2,3,4,5\n\n1,2,3,4\n',
        f'{c}/{c}_time.txt': t, f'{c}/readme.txt': 'hi\n',
        # d is missing; a wrongly cased name and stray files
        'got-10k_test_000004/got-10k_test_000004_001.txt': ok,
        '.DS_Store': '', '__MACOSX/x': '', 'extra/a/b.txt': ok,
    }
    report = check_submission('got10k', make_zip(tmp_path / 's.zip',
                                                 members), data_root=root)
    text = '\n'.join(report.problems)
    assert not report.ok
    for part in (f'{b}/{b}_001.txt: line 1 is not comma separated',
                 f'{b}: repetitions [1, 3] are not numbered',
                 f'{b}: files with different line counts',
                 f'{b}: 2 lines for 3 frames',
                 f'{c}/{c}_001.txt: line 1 is not numeric',
                 f'{c}/{c}_001.txt: line 2 has 5 comma-separated values',
                 f'{c}/{c}_001.txt: line 3 is empty',
                 f'{c}/readme.txt: stray file',
                 f'{d}: missing',
                 f'got-10k_test_000004: not a test sequence (did you mean '
                 f'{d}?',
                 '.DS_Store: stray file', '__MACOSX/x: stray file',
                 'extra/a/b.txt: not in the layout'):
        assert part in text, part
    assert a not in {p.split(':')[0] for p in report.problems}
    assert report.summary().startswith(f'{tmp_path}/s.zip: ')


def test_got10k_wrapped_in_a_folder(tmp_path):
    names = {f'GOT-10k_Test_{i:06d}': 2 for i in range(1, 181)}
    members = {}
    for name in names:
        members[f'results/{name}/{name}_001.txt'] = '1,2,3,4\n5,6,7,8\n'
        members[f'results/{name}/{name}_time.txt'] = '0.1\n0.1\n'
    report = check_submission('got10k', make_zip(tmp_path / 'w.zip',
                                                 members))
    assert report.problems == [
        'every file is inside the folder results/; the sequence folders '
        'must be at the zip root'
    ]
    assert len(report.sequences) == 180


def test_trackingnet_pack_and_check(tmp_path, tool, capsys):
    root = str(tmp_path / 'trackingnet')
    gts = fx.make_trackingnet(root, 'TEST', lengths=(5, 7, 6),
                              first_box_only=True)
    res = str(tmp_path / 'res')
    # one sequence in the GOT-10k layout, the others flat with time files
    names = sorted(gts)
    for i, name in enumerate(names):
        boxes = fx.box_lines(fx.gt_boxes(len(gts[name]['gt']), i), ' ')
        if i == 0:
            fx.write_text(osp.join(res, name, f'{name}_001.txt'), boxes)
        else:
            fx.write_text(osp.join(res, f'{name}.txt'), boxes)
            fx.write_text(osp.join(res, f'{name}_time.txt'), '0.1\n')
    out = str(tmp_path / 'tn.zip')
    assert tool.main(['--benchmark', 'trackingnet', '--results', res,
                      '--out', out, '--data-root', root]) == 0
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == sorted(f'{n}.txt' for n in names)
        assert zf.read(f'{names[1]}.txt').decode().count(' ') == 0
    assert check_submission('trackingnet', out).problems == [
        '3 sequences, the trackingnet test set has 511'
    ]
    # bad packages
    members = {f'{names[0]}.txt': '1,2,3,4\n' * 5,
               f'{names[1]}.txt': '1,2,3,4\n' * 6,  # 6 lines for 7 frames
               f'{names[1]}_time.txt': '0.1\n',
               f'sub/{names[2]}.txt': '1,2,3,4\n' * 6}
    bad = make_zip(tmp_path / 'bad.zip', members)
    capsys.readouterr()
    assert tool.main(['--benchmark', 'trackingnet', '--check', bad,
                      '--data-root', root]) == 1
    err = capsys.readouterr().err
    assert f'{names[1]}: 6 lines for 7 frames' in err
    assert f'{names[1]}_time.txt: stray file' in err
    assert f'sub/{names[2]}.txt: inside a folder' in err
    assert f'{names[2]}: missing' in err
    assert names[0] not in err


def test_not_a_zip(tmp_path):
    path = tmp_path / 'x.zip'
    path.write_text('plain text')
    report = check_submission('trackingnet', str(path))
    assert len(report.problems) == 1
    assert report.problems[0].startswith('cannot open the zip')
    with pytest.raises(KeyError, match='no submission format'):
        check_submission('lasot', str(path))
