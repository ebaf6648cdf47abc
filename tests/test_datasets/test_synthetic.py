import configparser
import json
import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest

from mmtrack_ext.datasets.synthetic import (MARKER_NAME,
                                            cover_from_visible_ratio,
                                            generate_sequence,
                                            make_synthetic_dataset,
                                            sequence_name)

SMALL = dict(frame_size=(128, 96), length_range=(12, 16))


def _read_lines(path):
    with open(path) as f:
        return f.read().splitlines()


def _tree_bytes(root):
    out = {}
    for dirpath, _, files in os.walk(root):
        for fn in files:
            p = osp.join(dirpath, fn)
            with open(p, 'rb') as f:
                out[osp.relpath(p, root)] = f.read()
    return out


@pytest.fixture(scope='module')
def small_set(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('synth'))
    res = make_synthetic_dataset(root,
                                 num_train=3,
                                 num_val=2,
                                 seed=3,
                                 num_workers=0,
                                 verbose=False,
                                 **SMALL)
    return root, res


def test_layout_and_counts(small_set):
    root, res = small_set
    assert res['train']['num_sequences'] == 3 and not res['train']['skipped']
    for split, num, cap in (('train', 3, 'Train'), ('val', 2, 'Val')):
        names = _read_lines(osp.join(root, split, 'list.txt'))
        assert names == [f'Synthetic_{cap}_{i:06d}' for i in range(1, num + 1)]
        assert osp.isfile(osp.join(root, split, MARKER_NAME))
        total = 0
        for name in names:
            d = osp.join(root, split, name)
            jpgs = sorted(f for f in os.listdir(d) if f.endswith('.jpg'))
            n = len(jpgs)
            assert 12 <= n <= 16
            assert jpgs == [f'{i:08d}.jpg' for i in range(1, n + 1)]
            gt = _read_lines(osp.join(d, 'groundtruth.txt'))
            assert len(gt) == n
            for line in gt:
                vals = line.split(',')
                assert len(vals) == 4
                assert all(len(v.split('.')[1]) <= 4 for v in vals)
                assert float(vals[2]) > 0 and float(vals[3]) > 0
            absence = [
                int(v) for v in _read_lines(osp.join(d, 'absence.label'))
            ]
            cover = [int(v) for v in _read_lines(osp.join(d, 'cover.label'))]
            assert len(absence) == len(cover) == n
            assert set(absence) <= {0, 1} and all(0 <= c <= 8 for c in cover)
            ini = configparser.ConfigParser()
            ini.read(osp.join(d, 'meta_info.ini'))
            meta = ini['METAINFO']
            assert meta['resolution'] == '(128, 96)'
            for key in ('object_class', 'motion_class', 'url'):
                assert meta[key]
            img = cv2.imread(osp.join(d, jpgs[0]))
            assert img.shape == (96, 128, 3)
            total += n
        assert res[split]['num_frames'] == total


def test_files_match_memory(small_set):
    root, _ = small_set
    seq = generate_sequence(3, 'val', 1, **SMALL)
    d = osp.join(root, 'val', sequence_name('val', 1))
    gt = np.loadtxt(osp.join(d, 'groundtruth.txt'), delimiter=',')
    np.testing.assert_allclose(gt, seq['boxes'], atol=1e-6)
    np.testing.assert_array_equal(np.loadtxt(osp.join(d, 'cover.label')),
                                  seq['cover'])
    np.testing.assert_array_equal(np.loadtxt(osp.join(d, 'absence.label')),
                                  seq['absence'])
    img = cv2.imread(osp.join(d, '00000002.jpg')).astype(np.float64)
    mse = ((img - seq['frames'][1])**2).mean()
    assert 10 * np.log10(255**2 / max(mse, 1e-9)) > 28  # JPEG only


def test_deterministic_across_workers(tmp_path):
    kw = dict(num_train=3, num_val=1, seed=5, verbose=False, **SMALL)
    # the parent has used OpenCV's thread pool before forking workers
    cv2.GaussianBlur(np.zeros((600, 800, 3), np.uint8), (0, 0), 3)
    make_synthetic_dataset(str(tmp_path / 'a'), num_workers=0, **kw)
    make_synthetic_dataset(str(tmp_path / 'b'), num_workers=2, **kw)
    make_synthetic_dataset(str(tmp_path / 'c'),
                           num_workers=2,
                           mp_context='spawn',
                           **kw)
    a, b = _tree_bytes(tmp_path / 'a'), _tree_bytes(tmp_path / 'b')
    c = _tree_bytes(tmp_path / 'c')
    assert a.keys() == b.keys() == c.keys() and len(a) > 40
    assert all(a[k] == b[k] == c[k] for k in a)
    s1 = generate_sequence(5, 'train', 2, **SMALL)
    s2 = generate_sequence(5, 'train', 2, **SMALL)
    assert np.array_equal(s1['frames'], s2['frames'])
    # train and val draw different sequences
    s3 = generate_sequence(5, 'val', 2, **SMALL)
    assert s3['frames'].shape != s1['frames'].shape or \
        not np.array_equal(s3['frames'], s1['frames'])


def test_cover_binning():
    assert cover_from_visible_ratio(0.0) == 0
    assert cover_from_visible_ratio(0.005) == 0
    assert cover_from_visible_ratio(0.02) == 1
    assert cover_from_visible_ratio(0.125) == 1
    assert cover_from_visible_ratio(0.13) == 2
    assert cover_from_visible_ratio(0.87) == 7
    assert cover_from_visible_ratio(0.9) == 8
    assert cover_from_visible_ratio(1.0) == 8
    np.testing.assert_array_equal(
        cover_from_visible_ratio(np.array([0, 0.5, 1.0])), [0, 4, 8])


@pytest.fixture(scope='module')
def sequences():
    # long enough for exits (> 40 frames), small frames to stay fast
    kw = dict(frame_size=(160, 120), length_range=(60, 80))
    return [generate_sequence(11, 'train', i, **kw) for i in range(8)] + \
        [generate_sequence(11, 'val', i, **kw) for i in range(4)]


def test_label_consistency(sequences):
    W, H = 160, 120
    for s in sequences:
        x, y, w, h = s['boxes'].T
        absent = s['absence'] == 1
        outside = (x + w <= 0) | (y + h <= 0) | (x >= W) | (y >= H)
        np.testing.assert_array_equal(absent, outside)
        assert s['cover'][0] == 8 and s['absence'][0] == 0
        assert s['visible_ratio'][0] > 0.99
        # frame 0 fully inside the image
        assert x[0] >= 0 and y[0] >= 0
        assert x[0] + w[0] <= W and y[0] + h[0] <= H
        assert (s['cover'][absent] == 0).all()
        hidden = s['cover'] == 0
        assert (s['visible_ratio'][hidden] < 0.01).all()
        np.testing.assert_array_equal(
            s['cover'][~absent],
            cover_from_visible_ratio(s['visible_ratio'][~absent]))
        assert np.isfinite(s['boxes']).all() and (w > 0).all() and (h
                                                                    > 0).all()


def test_scale_and_aspect_change(sequences):
    for s in sequences:
        w, h = s['boxes'][:, 2], s['boxes'][:, 3]
        size, aspect = np.sqrt(w * h), w / h
        assert size.max() / size.min() > 1.03
        assert aspect.max() / aspect.min() > 1.03
    rel = np.concatenate(
        [np.sqrt(s['boxes'][:, 2] * s['boxes'][:, 3])
         for s in sequences]) / np.sqrt(160 * 120)
    assert rel.min() > 0.03 and rel.max() < 0.45


def test_occlusion_and_out_of_view_occur(sequences):
    absent = sum(int(s['absence'].sum()) for s in sequences)
    # in view (box inside the image) but partly / fully hidden by objects
    occluded = 0
    for s in sequences:
        x, y, w, h = s['boxes'].T
        inside = (x >= 0) & (y >= 0) & (x + w <= 160) & (y + h <= 120)
        occluded += int(((s['cover'] < 8) & inside).sum())
    assert absent > 0
    assert occluded > 0
    assert any((s['cover'] == 0).any() for s in sequences)
    # the target moves
    for s in sequences:
        c = s['boxes'][:, :2] + s['boxes'][:, 2:] / 2
        assert np.abs(c - c[0]).max() > 2


def test_photo_dir(tmp_path):
    photo_dir = tmp_path / 'photos' / 'nested'
    photo_dir.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(4):
        img = cv2.resize(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8),
                         (200, 150),
                         interpolation=cv2.INTER_CUBIC)
        cv2.circle(img, (100, 75), 30, (0, 0, 255), -1)
        cv2.imwrite(str(photo_dir / f'p{i}.png'), img)
    (tmp_path / 'photos' / 'notes.txt').write_text('not an image')
    root = str(tmp_path / 'out')
    res = make_synthetic_dataset(root,
                                 num_train=4,
                                 num_val=0,
                                 seed=1,
                                 photo_dir=str(tmp_path / 'photos'),
                                 num_workers=0,
                                 verbose=False,
                                 **SMALL)
    assert res['train']['num_sequences'] == 4 and 'val' not in res
    metas = ''
    for name in _read_lines(osp.join(root, 'train', 'list.txt')):
        with open(osp.join(root, 'train', name, 'meta_info.ini')) as f:
            metas += f.read()
    assert 'photo' in metas
    seqs = [
        generate_sequence(1,
                          'train',
                          i,
                          photo_dir=str(tmp_path / 'photos'),
                          **SMALL) for i in range(4)
    ]
    assert all(s['cover'][0] == 8 for s in seqs)


def test_skip_if_complete(tmp_path):
    root = str(tmp_path)
    kw = dict(num_train=2, num_val=1, num_workers=0, verbose=False, **SMALL)
    make_synthetic_dataset(root, seed=0, **kw)
    f = osp.join(root, 'train', sequence_name('train', 0), '00000001.jpg')
    before = _tree_bytes(root)
    mtime = os.stat(f).st_mtime_ns
    res = make_synthetic_dataset(root, seed=0, **kw)
    assert res['train']['skipped'] and res['val']['skipped']
    assert os.stat(f).st_mtime_ns == mtime
    # interrupted run: marker missing -> regenerated, same bytes
    os.remove(osp.join(root, 'train', MARKER_NAME))
    res = make_synthetic_dataset(root, seed=0, **kw)
    assert not res['train']['skipped'] and res['val']['skipped']
    assert _tree_bytes(root) == before
    # interrupted run with the same parameters: finished sequences are kept
    split_dir = osp.join(root, 'train')
    mtime = os.stat(f).st_mtime_ns
    with open(osp.join(split_dir, MARKER_NAME)) as fh:
        params = json.load(fh)['params']
    with open(osp.join(split_dir, '.generation_in_progress.json'), 'w') as fh:
        json.dump(dict(params=params), fh)
    os.remove(osp.join(split_dir, MARKER_NAME))
    shutil.rmtree(osp.join(split_dir, sequence_name('train', 1)))
    os.makedirs(osp.join(split_dir, '.tmp_' + sequence_name('train', 1)))
    res = make_synthetic_dataset(root, seed=0, **kw)
    assert not res['train']['skipped']
    assert os.stat(f).st_mtime_ns == mtime
    assert _tree_bytes(root) == before
    # other parameters -> regenerated, different content
    res = make_synthetic_dataset(root, seed=1, **kw)
    assert not res['train']['skipped']
    after = _tree_bytes(root)
    assert after.keys() == before.keys() or len(after) > 0
    assert any(after.get(k) != v for k, v in before.items())
    # fewer sequences -> stale sequence folders are removed
    res = make_synthetic_dataset(root,
                                 seed=1,
                                 num_train=1,
                                 num_val=1,
                                 num_workers=0,
                                 verbose=False,
                                 **SMALL)
    assert sorted(d for d in os.listdir(osp.join(root, 'train'))
                  if d.startswith('Synthetic')) == [sequence_name('train', 0)]


def test_cli(tmp_path):
    import importlib.util
    path = osp.join(osp.dirname(__file__), '..', '..', 'tools',
                    'dataset_converters', 'make_synthetic.py')
    spec = importlib.util.spec_from_file_location('make_synthetic_cli', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = str(tmp_path / 'cli')
    res = mod.main([
        '--out', out, '--num-train', '1', '--num-val', '1', '--frame-size',
        '96', '72', '--length-range', '10', '12', '--workers', '0', '--quiet'
    ])
    assert res['train']['num_sequences'] == 1
    assert osp.isfile(
        osp.join(out, 'val', sequence_name('val', 0), '00000010.jpg'))
