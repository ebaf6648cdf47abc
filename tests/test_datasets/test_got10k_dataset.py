"""GOT-10k loader: layout, lazy annotations, test-mode indexing, bad input."""
import os
import os.path as osp

import numpy as np
import pytest
import torch

from mmtrack_ext.datasets import AnnotationError, FrameLoadError, GOT10kDataset
from mmtrack_ext.registry import DATASETS
from mmtrack_ext.structures import xywh_to_xyxy

TEST_PIPELINE = [dict(type='LoadFrames'), dict(type='PackSOTInputs')]


def test_load_videos_and_annotations(make_got10k):
    root, videos = make_got10k(lengths=(25, 30, 21), absent={1: [3, 4]},
                               occluded={2: [7]})
    ds = DATASETS.build(dict(type='GOT10kDataset', data_root=root,
                             split='train'))
    assert ds.metainfo['dataset_name'] == 'GOT-10k'
    assert ds.num_videos == len(ds) == 3
    assert ds.video_lengths.tolist() == [25, 30, 21]
    assert [ds.get_video_name(i) for i in range(3)] == \
        [v['name'] for v in videos]
    assert ds.get_frame_path(1, 0) == osp.join(videos[1]['dir'],
                                               '00000001.jpg')
    assert ds.get_frame_path(1, 29).endswith('00000030.jpg')
    for i, v in enumerate(videos):
        ann = ds.get_annotation(i)
        assert ann["bboxes"].dtype == np.float64  # exact file values
        np.testing.assert_allclose(ann['bboxes'], xywh_to_xyxy(v['xywh']),
                                   atol=1e-4)
        expected = (v['absence'] == 0) & (v['cover'] > 0)
        assert ann['visible'].dtype == bool
        np.testing.assert_array_equal(ann['visible'], expected)
        np.testing.assert_array_equal(ann['absent'], v['absence'])
        np.testing.assert_array_equal(ann['cover'], v['cover'])
        assert ds.get_resolution(i) == (64, 48)
        assert ds.get_frame_shape(i) == (48, 64)
    assert not ds.get_annotation(1)['visible'][[3, 4]].any()
    assert not ds.get_annotation(2)['visible'][7]
    assert ds.get_annotation(0) is ds.get_annotation(0)  # cached


def test_annotation_cache_is_bounded(make_got10k):
    root, _ = make_got10k(lengths=(20, 20, 20))
    ds = GOT10kDataset(data_root=root, ann_cache_size=2)
    for i in range(3):
        ds.get_annotation(i)
    assert list(ds._ann_cache) == [1, 2]


def test_sequence_list_and_exclude(make_got10k, tmp_path):
    root, videos = make_got10k(lengths=(20, 21, 22))
    names = [v['name'] for v in videos]
    ds = GOT10kDataset(data_root=root, exclude_sequences=[names[1]])
    assert [ds.get_video_name(i) for i in range(ds.num_videos)] == \
        [names[0], names[2]]
    list_file = tmp_path / 'subset.txt'
    list_file.write_text(f'{names[2]}\n\n{names[0]}\n')
    ds = GOT10kDataset(data_root=root, sequence_list=str(list_file))
    assert ds.video_lengths.tolist() == [22, 20]
    ds = GOT10kDataset(data_root=root, indices=1)
    assert ds.num_videos == 1


def test_test_mode_indexing(make_got10k):
    root, videos = make_got10k(split='val', lengths=(3, 5, 2))
    ds = GOT10kDataset(data_root=root, split='val', test_mode=True,
                       pipeline=TEST_PIPELINE)
    assert len(ds) == 10 and ds.num_frames == 10
    expected = [(v, f) for v, n in enumerate((3, 5, 2)) for f in range(n)]
    assert [ds.locate(i) for i in range(10)] == expected
    assert ds.frame_index(1, 4) == 7
    with pytest.raises(IndexError):
        ds.locate(10)
    data = ds[4]  # video 1, frame 1
    sample = data['data_samples']
    assert data['inputs']['img'].shape == (3, 48, 64)
    assert data['inputs']['img'].dtype == torch.uint8
    assert sample.video_id == 1 and sample.frame_id == 1
    assert sample.video_name == videos[1]['name']
    assert sample.video_length == 5 and sample.ori_shape == (48, 64)
    assert sample.img_path.endswith('00000002.jpg')
    gt = sample.gt_instances
    assert gt.bboxes.shape == (1, 4) and gt.bboxes.dtype == torch.float32
    np.testing.assert_allclose(gt.bboxes[0].numpy(),
                               xywh_to_xyxy(videos[1]['xywh'][1]), atol=1e-4)
    assert gt.visible.dtype == torch.bool and bool(gt.visible[0])
    assert gt.absent.tolist() == [0] and gt.cover.tolist() == [8]
    assert gt.absent.dtype == torch.long
    raw = ds.get_data_info(9)
    assert raw['frames'][0]['role'] == 'frame'
    assert raw['video_id'] == 2 and raw['frames'][0]['frame_id'] == 1


def test_test_split_has_first_box_only(make_got10k):
    root, _ = make_got10k(split='test', lengths=(4, ), labels=False,
                          meta=False, first_box_only=True)
    ds = GOT10kDataset(data_root=root, split='test', test_mode=True)
    ann = ds.get_annotation(0)
    assert np.isfinite(ann['bboxes'][0]).all()
    assert np.isnan(ann['bboxes'][1:]).all()
    assert ann['visible'].tolist() == [True, False, False, False]
    assert ann['absent'].tolist() == [-1] * 4
    assert ann['cover'].tolist() == [-1] * 4
    assert ds.get_resolution(0) is None
    assert ds.get_frame_shape(0) == (48, 64)  # read from the first frame
    # other splits need one box per frame
    os.rename(osp.join(root, 'test'), osp.join(root, 'val'))
    ds = GOT10kDataset(data_root=root, split='val')
    with pytest.raises(AnnotationError, match=r'groundtruth.txt: 1 boxes'):
        ds.get_annotation(0)


def _rewrite_line(path, line, text):
    with open(path) as f:
        lines = f.read().splitlines()
    lines[line - 1] = text
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def _build(root):
    return GOT10kDataset(data_root=root, split='train')


def test_structural_errors_at_build(make_got10k):
    root, videos = make_got10k(lengths=(20, 20))
    with pytest.raises(FileNotFoundError, match='split folder'):
        GOT10kDataset(data_root=root, split='val')
    list_file = osp.join(root, 'train', 'list.txt')
    # sequence folder named in list.txt is missing: file and line
    with open(list_file, 'a') as f:
        f.write('GOT-10k_Train_999999\n')
    with pytest.raises(FileNotFoundError,
                       match=r'list.txt, line 3: .*GOT-10k_Train_999999'):
        _build(root)
    _rewrite_line(list_file, 3, '')
    _build(root)
    # missing frame in the middle
    os.remove(osp.join(videos[0]['dir'], '00000005.jpg'))
    with pytest.raises(FileNotFoundError, match=r'00000005.jpg is missing'):
        _build(root)
    # empty sequence
    for fn in os.listdir(videos[0]['dir']):
        if fn.endswith('.jpg'):
            os.remove(osp.join(videos[0]['dir'], fn))
    with pytest.raises(AnnotationError, match=r'has no frames'):
        _build(root)
    # missing groundtruth.txt
    os.remove(osp.join(videos[1]['dir'], 'groundtruth.txt'))
    with pytest.raises(FileNotFoundError, match=r'groundtruth.txt'):
        GOT10kDataset(data_root=root, exclude_sequences=[videos[0]['name']])
    # missing list.txt
    os.remove(list_file)
    with pytest.raises(FileNotFoundError, match=r'list.txt'):
        _build(root)
    # list naming a sequence twice
    with open(list_file, 'w') as f:
        f.write(f'{videos[1]["name"]}\n{videos[1]["name"]}\n')
    with pytest.raises(AnnotationError, match=r'list.txt, line 2'):
        _build(root)


@pytest.mark.parametrize('file,line,text,match', [
    ('groundtruth.txt', 4, '1,2,3', r'groundtruth.txt, line 4: expected 4'),
    ('groundtruth.txt', 7, '1,2,abc,4', r'groundtruth.txt, line 7: .*abc'),
    ('groundtruth.txt', 21, '1,2,3,4', r'groundtruth.txt: 21 boxes .* 20'),
    ('absence.label', 21, '0', r'absence.label: 21 labels .* 20 frames'),
    ('absence.label', 2, 'x', r'absence.label, line 2: expected one int'),
    ('cover.label', 3, '9', r'cover.label, line 3: label 9 outside'),
    ('meta_info.ini', 3, 'resolution: big', r'meta_info.ini, line 3'),
])
def test_line_errors_when_parsed(make_got10k, file, line, text, match):
    root, videos = make_got10k(lengths=(20, ))
    path = osp.join(videos[0]['dir'], file)
    if line > 20:
        with open(path, 'a') as f:
            f.write(text + '\n')
    else:
        _rewrite_line(path, line, text)
    ds = _build(root)  # structure is fine: builds
    with pytest.raises(AnnotationError, match=match):
        ds.get_annotation(0)


def test_unreadable_frame_names_path(make_got10k):
    root, videos = make_got10k(split='val', lengths=(3, ))
    bad = osp.join(videos[0]['dir'], '00000002.jpg')
    with open(bad, 'wb') as f:
        f.write(b'not a jpeg')
    ds = GOT10kDataset(data_root=root, split='val', test_mode=True,
                       pipeline=TEST_PIPELINE)
    ds[0]
    with pytest.raises(FrameLoadError, match='00000002.jpg.*corrupt'):
        ds[1]


def test_train_mode_is_a_video_source(make_got10k):
    root, _ = make_got10k(lengths=(20, ))
    with pytest.raises(TypeError, match='SOTPairDataset'):
        _build(root)[0]
