"""LaSOT / LaSOT_ext, TrackingNet, TNL2K and NfS loaders and the GOT-10k VOT
exclusion: official layouts written to temporary folders, flags, language,
splits and errors that name the file and line."""
import json
import os
import os.path as osp
import re

import cv2
import numpy as np
import pytest

from mmtrack_ext.datasets import (AnnotationError, BaseSOTDataset,
                                  GOT10kDataset, LaSOTDataset,
                                  LaSOTExtDataset, NFSDataset, TNL2KDataset,
                                  TrackingNetDataset)
from mmtrack_ext.datasets.benchmark_meta import (load_meta_json, meta_path,
                                                 read_meta_names)
from mmtrack_ext.datasets.frame_files import natural_key
from mmtrack_ext.evaluation.offline import (BENCHMARKS, BenchmarkSpec,
                                            _ground_truth)
from mmtrack_ext.registry import DATASETS
from mmtrack_ext.structures import xywh_to_xyxy

TEST_PIPELINE = [dict(type='LoadFrames'), dict(type='PackSOTInputs')]
_FRAME_BYTES = {}


def write_frame(path: str, ext: str = '.jpg') -> None:
    """A tiny 8x12 image (encoded once per type with cv2)."""
    if ext not in _FRAME_BYTES:
        img = np.full((8, 12, 3), 90, np.uint8)
        img[2:5, 3:8] = 230
        _FRAME_BYTES[ext] = cv2.imencode(ext, img)[1].tobytes()
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(_FRAME_BYTES[ext])


def write_text(path: str, text: str) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def boxes(n: int, offset: float = 0.) -> np.ndarray:
    """``(n, 4)`` xywh boxes with distinct rows."""
    t = np.arange(n, dtype=np.float64)
    return np.stack([1 + t + offset, 2 + 0.5 * t, 4 + 0 * t, 3 + 0 * t], 1)


def box_lines(xywh: np.ndarray, sep: str = ',') -> str:
    return ''.join(sep.join(f'{v:g}' for v in row) + '\n' for row in xywh)


# ----------------------------------------------------------------------
# LaSOT
def write_lasot_sequence(root, name, n=2, full_occlusion=None,
                         out_of_view=None, nlp='the target'):
    category = name.rsplit('-', 1)[0]
    seq_dir = osp.join(root, category, name)
    for i in range(n):
        write_frame(osp.join(seq_dir, 'img', f'{i + 1:08d}.jpg'))
    xywh = boxes(n, offset=len(name))
    write_text(osp.join(seq_dir, 'groundtruth.txt'), box_lines(xywh))
    occ = np.zeros(n, int) if full_occlusion is None else full_occlusion
    oov = np.zeros(n, int) if out_of_view is None else out_of_view
    write_text(osp.join(seq_dir, 'full_occlusion.txt'),
               ','.join(map(str, occ)) + '\n')
    write_text(osp.join(seq_dir, 'out_of_view.txt'),
               ','.join(map(str, oov)))
    if nlp is not None:
        write_text(osp.join(seq_dir, 'nlp.txt'), nlp)
    return dict(dir=seq_dir, xywh=xywh, occ=np.asarray(occ),
                oov=np.asarray(oov))


@pytest.fixture(scope='module')
def lasot_test_root(tmp_path_factory):
    """The 280 sequences of the LaSOT test split (2 frames each, except
    ``airplane-1`` with 6 frames and flags)."""
    root = str(tmp_path_factory.mktemp('lasot'))
    for _, name in read_meta_names('lasot_test.txt'):
        if name != 'airplane-1':
            write_lasot_sequence(root, name)
    special = write_lasot_sequence(
        root, 'airplane-1', n=6, full_occlusion=[0, 0, 1, 0, 0, 0],
        out_of_view=[0, 0, 0, 0, 1, 1], nlp='white airplane\n on the runway\n')
    return root, special


def test_lasot_meta_lists():
    test = [n for _, n in read_meta_names('lasot_test.txt')]
    train = [n for _, n in read_meta_names('lasot_train.txt')]
    ext = [n for _, n in read_meta_names('lasot_ext.txt')]
    assert (len(test), len(train), len(ext)) == (280, 1120, 150)
    assert not set(test) & set(train)
    both = {}
    for name in test + train:
        category, number = name.rsplit('-', 1)
        both.setdefault(category, set()).add(int(number))
    assert len(both) == 70
    assert all(v == set(range(1, 21)) for v in both.values())
    assert {n.rsplit('-', 1)[0] for n in ext} >= {'atv', 'wingsuit'}
    assert len({n.rsplit('-', 1)[0] for n in ext}) == 15
    assert not set(ext) & (set(test) | set(train))


def test_lasot_test_split(lasot_test_root, monkeypatch):
    root, special = lasot_test_root
    ds = DATASETS.build(dict(type='LaSOTDataset', data_root=root,
                             split='test'))
    assert ds.metainfo['dataset_name'] == 'LaSOT'
    assert ds.metainfo['split'] == 'test'
    assert ds.num_videos == 280
    names = ds.video_names
    assert set(names) == {n for _, n in read_meta_names('lasot_test.txt')}
    assert names[:4] == ['airplane-1', 'airplane-9', 'airplane-13',
                         'airplane-15']
    i = names.index('airplane-1')
    assert ds.get_video_length(i) == 6
    assert ds.get_frame_path(i, 5) == osp.join(special['dir'], 'img',
                                               '00000006.jpg')
    assert ds.get_video_info(i)['object_class'] == 'airplane'
    ann = ds.get_annotation(i)
    np.testing.assert_array_equal(ann['bboxes_xywh'], special['xywh'])
    np.testing.assert_allclose(ann['bboxes'], xywh_to_xyxy(special['xywh']))
    expected = np.array([1, 1, 0, 1, 0, 0], bool)
    np.testing.assert_array_equal(ann['target_visible'], expected)
    np.testing.assert_array_equal(ann['visible'], expected)
    np.testing.assert_array_equal(ann['absent'], ~expected)
    np.testing.assert_array_equal(ann['full_occlusion'], special['occ'])
    np.testing.assert_array_equal(ann['out_of_view'], special['oov'])
    assert (ann['cover'] == -1).all()
    assert ann['language'] == 'white airplane on the runway'
    assert not ann['target_visible'].flags.writeable
    # the ground truth is what offline evaluation reads
    monkeypatch.setitem(BENCHMARKS, '_lasot_fixture', BenchmarkSpec(
        dict(type='LaSOTDataset'), 'test', 'pytracking'))
    gts = _ground_truth('_lasot_fixture', root, 'test')
    assert len(gts) == 280
    np.testing.assert_array_equal(gts['airplane-1']['gt'], special['xywh'])


def test_lasot_train_and_all_read_their_lists(lasot_test_root):
    root, _ = lasot_test_root
    # only the test sequences exist: the first missing one is named
    with pytest.raises(FileNotFoundError,
                       match=r'airplane-2 does not exist .*lasot_train.txt, '
                       r'line 1\b'):
        LaSOTDataset(data_root=root, split='train')
    with pytest.raises(FileNotFoundError, match=r'airplane-2 does not exist'):
        LaSOTDataset(data_root=root, split='all')  # airplane-1 was found
    with pytest.raises(ValueError, match='unknown split'):
        LaSOTDataset(data_root=root, split='val')


def test_lasot_sequence_list_and_test_mode(tmp_path):
    root = str(tmp_path)
    write_lasot_sequence(root, 'bear-3', n=3)
    write_lasot_sequence(root, 'cat-12', n=2, nlp=None)
    ds = LaSOTDataset(data_root=root, sequence_list=['cat-12', 'bear-3'],
                      test_mode=True, pipeline=TEST_PIPELINE)
    assert ds.video_names == ['cat-12', 'bear-3']
    assert len(ds) == 5
    assert ds.get_annotation(0)['language'] is None
    data = ds[3]  # bear-3, frame 1
    assert data['inputs']['img'].shape == (3, 8, 12)
    assert data['data_samples'].metainfo['frame_id'] == 1
    (tmp_path / 'subset.txt').write_text('bear-3\n')
    assert LaSOTDataset(data_root=root,
                        sequence_list='subset.txt').video_names == ['bear-3']


def test_lasot_ext(tmp_path):
    root = str(tmp_path)
    names = [n for _, n in read_meta_names('lasot_ext.txt')]
    for name in names:
        write_lasot_sequence(root, name, n=1,
                             out_of_view=[1] if name == 'rhino-4' else None)
    ds = DATASETS.build(dict(type='LaSOTExtDataset', data_root=root))
    assert ds.metainfo['dataset_name'] == 'LaSOT_ext'
    assert ds.num_videos == 150 and set(ds.video_names) == set(names)
    assert ds.video_names[:3] == ['atv-1', 'atv-2', 'atv-3']
    ann = ds.get_annotation(ds.video_names.index('rhino-4'))
    assert not ann['target_visible'][0] and ann['absent'][0] == 1
    with pytest.raises(ValueError, match='unknown split'):
        LaSOTExtDataset(data_root=root, split='train')


@pytest.mark.parametrize('damage, error, match', [
    (lambda d: write_text(osp.join(d, 'groundtruth.txt'),
                          '1,2,3,4\n1,2,x,4\n1,2,3,4\n'),
     AnnotationError, r'groundtruth.txt, line 2: \'x\' is not a number'),
    (lambda d: write_text(osp.join(d, 'groundtruth.txt'), '1,2,3,4\n'),
     AnnotationError, r'groundtruth.txt: 1 boxes but the sequence has 3'),
    (lambda d: write_text(osp.join(d, 'full_occlusion.txt'), '0,1,2\n'),
     AnnotationError, r'full_occlusion.txt, line 1: flag 3 is \'2\''),
    (lambda d: write_text(osp.join(d, 'out_of_view.txt'), '0,1\n'),
     AnnotationError, r'out_of_view.txt: 2 flags but the sequence has 3'),
    (lambda d: os.remove(osp.join(d, 'out_of_view.txt')),
     FileNotFoundError, r'out_of_view.txt'),
])
def test_lasot_bad_annotation(tmp_path, damage, error, match):
    seq = write_lasot_sequence(str(tmp_path), 'book-7', n=3)
    damage(seq['dir'])
    ds = LaSOTDataset(data_root=str(tmp_path), sequence_list=['book-7'])
    assert ds.num_videos == 1  # structure is fine, the annotation is not
    with pytest.raises(error, match=match):
        ds.get_annotation(0)


def test_lasot_bad_structure(tmp_path):
    root = str(tmp_path)
    seq = write_lasot_sequence(root, 'book-7', n=3)
    with pytest.raises(FileNotFoundError,
                       match=r'book-8 does not exist .*argument, line 2'):
        LaSOTDataset(data_root=root, sequence_list=['book-7', 'book-8'])
    os.remove(osp.join(seq['dir'], 'img', '00000002.jpg'))
    with pytest.raises(FileNotFoundError, match=r'00000002.jpg is missing'):
        LaSOTDataset(data_root=root, sequence_list=['book-7'])
    os.remove(osp.join(seq['dir'], 'groundtruth.txt'))
    with pytest.raises(FileNotFoundError, match=r'groundtruth.txt'):
        LaSOTDataset(data_root=root, sequence_list=['book-7'])
    with pytest.raises(AnnotationError, match=r'not "category-number"'):
        LaSOTDataset(data_root=root, sequence_list=['book'])


# ----------------------------------------------------------------------
# TrackingNet
def write_trackingnet(root, chunk, lengths, first_box_only=False):
    out = []
    for i, n in enumerate(lengths):
        name = f'{chunk.lower()}_seq{i}_{n}'
        for f in range(n):
            write_frame(osp.join(root, chunk, 'frames', name, f'{f}.jpg'))
        xywh = boxes(n, offset=i)
        write_text(osp.join(root, chunk, 'anno', name + '.txt'),
                   box_lines(xywh[:1] if first_box_only else xywh))
        out.append(dict(name=name, xywh=xywh))
    return out


def test_trackingnet_train_chunks(tmp_path):
    root = str(tmp_path)
    videos = {k: write_trackingnet(root, f'TRAIN_{k}', [3, 12] if k == 1
                                   else [2]) for k in range(12)}
    ds = DATASETS.build(dict(type='TrackingNetDataset', data_root=root,
                             split='train', chunks=[1]))
    assert ds.metainfo['split'] == 'train'
    assert ds.video_names == [v['name'] for v in videos[1]]
    assert ds.video_lengths.tolist() == [3, 12]
    # 0-based, unpadded numbering; 10 sorts after 9
    assert ds.get_frame_path(1, 0).endswith(osp.join('seq1_12', '0.jpg'))
    assert ds.get_frame_path(1, 10).endswith(osp.join('seq1_12', '10.jpg'))
    assert ds.get_video_info(1)['chunk'] == 'TRAIN_1'
    ann = ds.get_annotation(1)
    np.testing.assert_array_equal(ann['bboxes_xywh'], videos[1][1]['xywh'])
    assert ann['visible'].all() and (ann['absent'] == -1).all()
    full = TrackingNetDataset(data_root=root, split='train')
    assert full.num_videos == 13
    assert full.chunk_names == [f'TRAIN_{k}' for k in range(12)]
    two = TrackingNetDataset(data_root=root, split='train', chunks=(3, 0))
    assert two.video_names == ['train_3_seq0_2', 'train_0_seq0_2']
    for bad in ([12], [], [1, 1]):
        with pytest.raises(ValueError, match='chunks'):
            TrackingNetDataset(data_root=root, split='train', chunks=bad)
    with pytest.raises(ValueError, match='split="train"'):
        TrackingNetDataset(data_root=root, split='test', chunks=[0])


def test_trackingnet_test_split_is_not_evaluable_offline(tmp_path,
                                                        monkeypatch):
    root = str(tmp_path)
    videos = write_trackingnet(root, 'TEST', [4, 3], first_box_only=True)
    ds = TrackingNetDataset(data_root=root, test_mode=True,
                            pipeline=TEST_PIPELINE)
    assert ds.metainfo['split'] == 'test' and len(ds) == 7
    ann = ds.get_annotation(0)
    np.testing.assert_array_equal(ann['bboxes_xywh'][0], videos[0]['xywh'][0])
    assert np.isnan(ann['bboxes_xywh'][1:]).all()
    assert ann['visible'].tolist() == [True, False, False, False]
    data = ds[0]  # the init frame loads with its box
    assert data['inputs']['img'].shape == (3, 8, 12)
    np.testing.assert_allclose(
        data['data_samples'].gt_instances.bboxes[0].numpy(),
        xywh_to_xyxy(videos[0]['xywh'][:1])[0])
    monkeypatch.setitem(BENCHMARKS, '_trackingnet_fixture', BenchmarkSpec(
        dict(type='TrackingNetDataset'), 'test', 'pytracking'))
    with pytest.raises(ValueError, match='cannot be evaluated offline'):
        _ground_truth('_trackingnet_fixture', root, 'test')


def test_trackingnet_errors(tmp_path):
    root = str(tmp_path)
    videos = write_trackingnet(root, 'TRAIN_0', [5])
    seq_dir = osp.join(root, 'TRAIN_0', 'frames', videos[0]['name'])
    with pytest.raises(FileNotFoundError, match=r'TRAIN_1'):
        TrackingNetDataset(data_root=root, split='train')
    ds = TrackingNetDataset(data_root=root, split='train', chunks=[0])
    ann_file = osp.join(root, 'TRAIN_0', 'anno', videos[0]['name'] + '.txt')
    write_text(ann_file, '1,2,3,4\n1,2,3\n')
    with pytest.raises(AnnotationError,
                       match=r'anno.*\.txt, line 2: expected 4 numbers'):
        ds.get_annotation(0)
    write_text(ann_file, '1,2,3,4\n1,2,3,4\n')
    ds = TrackingNetDataset(data_root=root, split='train', chunks=[0])
    with pytest.raises(AnnotationError, match=r'2 boxes but the sequence '
                       r'has 5 frames'):
        ds.get_annotation(0)
    write_frame(osp.join(seq_dir, '007.jpg'))  # not a TrackingNet name
    os.remove(osp.join(seq_dir, '3.jpg'))
    with pytest.raises(FileNotFoundError, match=r'frame 3.jpg is missing'):
        TrackingNetDataset(data_root=root, split='train', chunks=[0])
    with pytest.raises(FileNotFoundError, match=r'TEST'):
        TrackingNetDataset(data_root=root, split='test')


# ----------------------------------------------------------------------
# TNL2K
def test_tnl2k(tmp_path):
    root = str(tmp_path)
    specs = {  # name: (frame names, language)
        'Assassin_video_1-Done': ([f'{i:05d}.jpg' for i in range(1, 5)],
                                  'the man in black\n\n on the left \n'),
        'advSamp_Baseball_game_002-Done': ([f'{i}.png' for i in range(1, 12)],
                                           None),
    }
    for name, (frames, language) in specs.items():
        for fn in frames:
            write_frame(osp.join(root, name, 'imgs', fn), osp.splitext(fn)[1])
        write_text(osp.join(root, name, 'groundtruth.txt'),
                   box_lines(boxes(len(frames))))
        if language is not None:
            write_text(osp.join(root, name, 'language.txt'), language)
    write_text(osp.join(root, 'readme.txt'), 'not a sequence')
    ds = DATASETS.build(dict(type='TNL2KDataset', data_root=root))
    assert ds.metainfo['dataset_name'] == 'TNL2K'
    assert ds.metainfo['split'] == 'test'
    assert ds.video_names == sorted(specs)
    assert ds.video_lengths.tolist() == [4, 11]  # 'A' < 'a'
    assert [osp.basename(ds.get_frame_path(1, i)) for i in (0, 8, 9, 10)] \
        == ['1.png', '9.png', '10.png', '11.png']
    ann = ds.get_annotation(0)
    assert ann['language'] == 'the man in black on the left'
    np.testing.assert_array_equal(ann['bboxes_xywh'], boxes(4))
    assert ann['visible'].all()
    assert ds.get_annotation(1)['language'] is None
    assert sorted(['10.png', '9.png', '1.png'], key=natural_key) == \
        ['1.png', '9.png', '10.png']

    write_text(osp.join(root, 'Assassin_video_1-Done', 'groundtruth.txt'),
               box_lines(boxes(3)))
    with pytest.raises(AnnotationError, match=r'3 boxes but the sequence has '
                       r'4 frames'):
        TNL2KDataset(data_root=root).get_annotation(0)
    os.makedirs(osp.join(root, 'empty', 'imgs'))
    write_text(osp.join(root, 'empty', 'groundtruth.txt'), '1,2,3,4\n')
    with pytest.raises(AnnotationError, match=r'empty.imgs: sequence has no '
                       'frames'):
        TNL2KDataset(data_root=root)
    os.rename(osp.join(root, 'empty', 'imgs'), osp.join(root, 'empty', 'x'))
    with pytest.raises(FileNotFoundError, match=r'frame folder not found.*'
                       r'empty.imgs'):
        TNL2KDataset(data_root=root)
    os.remove(osp.join(root, 'empty', 'groundtruth.txt'))
    with pytest.raises(FileNotFoundError, match=r'empty.groundtruth.txt'):
        TNL2KDataset(data_root=root)
    with pytest.raises(ValueError, match='unknown split'):
        TNL2KDataset(data_root=root, split='val')


# ----------------------------------------------------------------------
# NfS
def nfs_line(row, frame, lost=0, occluded=0, generated=0):
    x, y, w, h = row
    return (f'1 {x:g} {y:g} {x + w:g} {y + h:g} {frame} {lost} {occluded} '
            f'{generated} "ball"\n')


def write_nfs(root, name, n, lines_per_frame, extra_frames=0, flags=None):
    """Sequence ``name`` with ``n`` 30 fps frames whose annotation has
    ``lines_per_frame`` lines per frame (8: 240 fps numbering, starting at
    frame 0; 1: one line per frame, starting at 1). ``flags`` maps a 30 fps
    frame to ``(lost, occluded, generated)``."""
    base = osp.join(root, name, '30')
    for i in range(n + extra_frames):
        write_frame(osp.join(base, name, f'{i + 1:05d}.jpg'))
    xywh = boxes(n)
    flags = flags or {}
    text = ''
    for k in range(n):
        for j in range(lines_per_frame):
            # in-between 240 fps lines get other boxes and flags
            row = xywh[k] if j == 0 else xywh[k] + [0.125 * j, 0, 1, 0]
            frame = k * lines_per_frame + j + (lines_per_frame == 1)
            f = flags.get(k, (0, 0, 0)) if j == 0 else (1, 1, 1)
            text += nfs_line(row, frame, *f)
    write_text(osp.join(base, name + '.txt'), text)
    return xywh


def test_nfs_meta():
    meta = load_meta_json('nfs.json')
    seqs = meta['sequences']
    assert meta['fps'] == 30 and len(seqs) == 100
    assert len({s['name'] for s in seqs}) == 100
    by_name = {s['name']: s for s in seqs}
    assert by_name['Gymnastics']['num_frames'] == 368
    assert by_name['suv']['num_frames'] == 2584
    assert by_name['car_jumping']['object_class'] == 'car'
    assert all(s['num_frames'] > 0 for s in seqs)


def test_nfs(tmp_path):
    root = str(tmp_path)
    a = write_nfs(root, 'car_jumping', 22, 8, extra_frames=1,
                  flags={3: (1, 0, 0), 5: (0, 1, 1)})
    b = write_nfs(root, 'shuffleboard_5', 32, 1)
    ds = DATASETS.build(dict(type='NFSDataset', data_root=root,
                             sequence_list=['car_jumping', 'shuffleboard_5'],
                             test_mode=True, pipeline=TEST_PIPELINE))
    assert ds.metainfo['dataset_name'] == 'NfS'
    assert ds.video_names == ['car_jumping', 'shuffleboard_5']
    assert ds.video_lengths.tolist() == [22, 32]  # the extra frame is unused
    assert ds.get_frame_path(0, 21).endswith(
        osp.join('car_jumping', '30', 'car_jumping', '00022.jpg'))
    assert ds.get_video_info(0)['object_class'] == 'car'
    ann = ds.get_annotation(0)
    np.testing.assert_allclose(ann['bboxes_xywh'], a)
    np.testing.assert_allclose(ann['bboxes'], xywh_to_xyxy(a))
    assert np.flatnonzero(ann['absent']).tolist() == [3]
    assert np.flatnonzero(ann['occluded']).tolist() == [5]
    assert np.flatnonzero(ann['generated']).tolist() == [5]
    assert np.flatnonzero(~ann['visible']).tolist() == [3]
    ann = ds.get_annotation(1)
    np.testing.assert_allclose(ann['bboxes_xywh'], b)
    assert ann['visible'].all() and not ann['absent'].any()
    assert ds[22]['data_samples'].metainfo['video_name'] == 'shuffleboard_5'


def test_nfs_errors(tmp_path):
    root = str(tmp_path)
    write_nfs(root, 'car_jumping', 22, 8)
    with pytest.raises(FileNotFoundError, match=r'Gymnastics.30'):
        NFSDataset(data_root=root)  # all 100 sequences by default
    with pytest.raises(AnnotationError, match=r'sequence_list argument, line '
                       r'2: \'nope\' is not an NfS sequence'):
        NFSDataset(data_root=root, sequence_list=['car_jumping', 'nope'])
    ann_file = osp.join(root, 'car_jumping', '30', 'car_jumping.txt')
    lines = open(ann_file).read().splitlines(True)

    def check(text, match):
        write_text(ann_file, text)
        ds = NFSDataset(data_root=root, sequence_list=['car_jumping'])
        with pytest.raises(AnnotationError, match=match):
            ds.get_annotation(0)

    check(''.join(lines[:100]), r'100 lines cannot annotate the 22 frames')
    bad = lines[:]
    bad[6] = '1 10 20 30 "ball"\n'
    check(''.join(bad), r'car_jumping.txt, line 7: expected 9 numbers')
    bad[6] = '1 10 20 30 4x0 6 0 0 0 "ball"\n'
    check(''.join(bad), r'line 7: ymax \'4x0\' is not a number')
    bad[6] = '1 10 20 30 40 6 0 2 0 "ball"\n'
    check(''.join(bad), r'line 7: occluded flag is \'2\', expected 0 or 1')
    write_text(ann_file, ''.join(lines))
    os.remove(osp.join(root, 'car_jumping', '30', 'car_jumping',
                       '00022.jpg'))
    with pytest.raises(FileNotFoundError, match=r'00022.jpg is missing .*'
                       r'the sequence has 22 frames'):
        NFSDataset(data_root=root, sequence_list=['car_jumping'])
    os.remove(ann_file)
    with pytest.raises(FileNotFoundError, match=r'car_jumping.txt'):
        NFSDataset(data_root=root, sequence_list=['car_jumping'])


# ----------------------------------------------------------------------
# GOT-10k VOT exclusion, video names, base-class annotation keys
def test_got10k_vot_exclusion(make_got10k):
    names = [n for _, n in read_meta_names('got10k_vot_exclude.txt')]
    assert len(names) == len(set(names)) == 1000
    assert all(re.fullmatch(r'GOT-10k_Train_\d{6}', n) for n in names)
    assert names[:2] == ['GOT-10k_Train_000004', 'GOT-10k_Train_000013']
    root, videos = make_got10k(lengths=(2, 2, 2, 2, 2))  # 000001..000005
    all_names = [v['name'] for v in videos]
    ds = GOT10kDataset(data_root=root, split='train')
    assert ds.video_names == all_names
    ds = DATASETS.build(dict(type='GOT10kDataset', data_root=root,
                             split='train', vot_exclude=True))
    assert ds.video_names == [n for n in all_names
                              if n != 'GOT-10k_Train_000004']
    ds = GOT10kDataset(data_root=root, vot_exclude=True,
                       exclude_sequences=[all_names[0]])
    assert ds.video_names == [all_names[i] for i in (1, 2, 4)]
    with pytest.raises(ValueError, match='split="train"'):
        GOT10kDataset(data_root=root, split='val', vot_exclude=True)


def test_extra_annotation_keys_are_checked():
    info = dict(video_name='v', video_length=3)
    ann = BaseSOTDataset._check_annotation(
        info, dict(bboxes=np.zeros((3, 4)), flags=np.arange(3), note='x'))
    assert ann['note'] == 'x' and not ann['flags'].flags.writeable
    with pytest.raises(AnnotationError, match=r"'v': flags has 2 entries"):
        BaseSOTDataset._check_annotation(
            info, dict(bboxes=np.zeros((3, 4)), flags=np.arange(2)))


def test_meta_files_are_package_data():
    assert osp.isfile(meta_path('nfs.json'))
    with open(meta_path('nfs.json')) as f:
        assert json.load(f)['annotation_stride'] == 8
    with pytest.raises(FileNotFoundError, match='metadata file not found'):
        meta_path('nope.txt')
