import os.path as osp

import numpy as np
import pytest

from mmtrack_ext.evaluation import (as_written, canonical_layout,
                                    is_complete_result,
                                    read_got10k_repetitions, read_results,
                                    read_sequence_results, read_times,
                                    result_path, time_path, write_results,
                                    write_sequence_results, write_times)


def test_paths():
    assert result_path('r', 'GOT-10k_Val_000001') == osp.join(
        'r', 'GOT-10k_Val_000001', 'GOT-10k_Val_000001_001.txt')
    assert result_path('r', 'a', rep=3) == osp.join('r', 'a', 'a_003.txt')
    assert time_path('r', 'a') == osp.join('r', 'a', 'a_time.txt')
    assert result_path('r', 'a', 'pytracking') == osp.join('r', 'a.txt')
    assert time_path('r', 'a', 'pytracking') == osp.join('r', 'a_time.txt')
    with pytest.raises(ValueError, match='layout'):
        result_path('r', 'a', 'vot')


@pytest.mark.parametrize('layout', ['got10k', 'pytracking'])
def test_write_read_roundtrip(tmp_path, layout):
    boxes = np.array([[1.23456, 2.0, 30.5, 40.25], [0, 0, 1e-5, 7]])
    times = np.array([0.0123, 0.02])
    paths = write_sequence_results(str(tmp_path), 'seq', boxes, times,
                                   layout=layout)
    assert paths[0] == result_path(str(tmp_path), 'seq', layout)
    with open(paths[0]) as f:
        assert f.read().splitlines() == [
            '1.2346,2.0000,30.5000,40.2500', '0.0000,0.0000,0.0000,7.0000'
        ]
    out = read_sequence_results(str(tmp_path), 'seq', layout)
    np.testing.assert_allclose(out, np.round(boxes, 4))
    np.testing.assert_allclose(read_times(paths[1]), times)


@pytest.mark.parametrize('text', [
    '1,2,3,4\n5,6,7,8\n', '1\t2\t3\t4\n5\t6\t7\t8', '1 2 3 4\n\n5  6 7 8\n',
    '1, 2,3\t4\r\n5,6,7,8\r\n'
])
def test_read_separators(tmp_path, text):
    path = tmp_path / 'a.txt'
    path.write_text(text)
    np.testing.assert_array_equal(read_results(str(path)),
                                  [[1, 2, 3, 4], [5, 6, 7, 8]])


def test_read_nan_and_errors(tmp_path):
    path = tmp_path / 'a.txt'
    path.write_text('1,2,3,4\nnan,nan,nan,nan\n')
    assert np.isnan(read_results(str(path))[1]).all()
    path.write_text('1,2,3,4\n1,2,3\n')
    with pytest.raises(ValueError, match=r'a\.txt, line 2: expected 4'):
        read_results(str(path))
    path.write_text('1,2,3,4\n\n1,2,x,4\n')
    with pytest.raises(ValueError, match=r'a\.txt, line 3: not a number'):
        read_results(str(path))
    with pytest.raises(FileNotFoundError, match='missing.txt'):
        read_results(str(tmp_path / 'missing.txt'))
    with pytest.raises(ValueError, match=r'shape \(N, 4\)'):
        write_results(str(tmp_path / 'b.txt'), np.zeros((3, 5)))


def test_read_got10k_repetitions(tmp_path):
    for rep in (2, 1, 10):
        write_sequence_results(str(tmp_path), 's', np.full((2, 4), rep),
                               times=np.ones(2), rep=rep)
    reps = read_got10k_repetitions(str(tmp_path), 's')
    assert [r[0, 0] for r in reps] == [1, 2, 10]
    with pytest.raises(FileNotFoundError, match="'t'"):
        read_got10k_repetitions(str(tmp_path), 't')


def test_layout_aliases():
    for name in ('lasot', 'otb', 'uav', 'nfs', 'tnl2k', 'trackingnet'):
        assert canonical_layout(name) == 'pytracking'
        assert result_path('r', 'a', name) == osp.join('r', 'a.txt')
    assert canonical_layout('got10k') == 'got10k'
    with pytest.raises(ValueError, match='unknown results layout'):
        canonical_layout('vot')


def test_as_written_equals_reading_the_text_back(tmp_path):
    rng = np.random.default_rng(0)
    boxes = rng.uniform(-50, 500, (2000, 4))
    # exact ties at the 5th decimal and special values
    boxes[0] = [1.03125, 0.00005, 2.5e-4, np.nan]
    boxes[1] = [np.inf, -1.00005, 123.45675, 7.0]
    path = write_results(str(tmp_path / 'a.txt'), boxes)
    back = read_results(path)
    written = as_written(boxes)
    same = (back == written) | (np.isnan(back) & np.isnan(written))
    assert same.all()
    assert not (written == boxes).all()
    times = rng.uniform(0, 0.1, 50)
    np.testing.assert_array_equal(
        read_times(write_times(str(tmp_path / 't.txt'), times)),
        as_written(times, 6))


def test_atomic_write_and_complete_results(tmp_path):
    root = str(tmp_path)
    boxes = np.ones((5, 4))
    write_sequence_results(root, 'v', boxes, layout='got10k')
    assert sorted(p.name for p in (tmp_path / 'v').iterdir()) == \
        ['v_001.txt']  # no temporary file left
    assert is_complete_result(root, 'v', 5, 'got10k')
    assert not is_complete_result(root, 'v', 6, 'got10k')
    assert not is_complete_result(root, 'w', 5, 'got10k')
    with open(result_path(root, 'v', 'got10k'), 'a') as f:
        f.write('1,2,3\n')  # a broken last line
    assert not is_complete_result(root, 'v', 6, 'got10k')
    with pytest.raises(ValueError, match='shape'):
        write_results(str(tmp_path / 'bad.txt'), np.ones((2, 3)))
    assert not (tmp_path / 'bad.txt').exists()
