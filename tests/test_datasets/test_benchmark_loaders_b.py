"""OTB100, UAV123, COCO and ImageNet VID loaders on tiny official layouts."""
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

from mmtrack_ext.datasets import (AnnotationError, COCOSOTDataset,
                                  ImageNetVIDDataset, OTB100Dataset,
                                  UAV123Dataset)
from mmtrack_ext.datasets.benchmark_meta import load_benchmark_meta
from mmtrack_ext.registry import DATASETS
from mmtrack_ext.structures import xywh_to_xyxy

TEST_PIPELINE = [dict(type='LoadFrames'), dict(type='PackSOTInputs')]


def _image_bytes(ext='.jpg', h=24, w=32, value=90):
    img = np.full((h, w, 3), value, dtype=np.uint8)
    img[4:12, 6:18] = 220
    ok, buf = cv2.imencode(ext, img)
    assert ok
    return buf.tobytes()


def _write_frames(folder, names, data):
    os.makedirs(folder, exist_ok=True)
    for name in names:
        with open(osp.join(folder, name), 'wb') as f:
            f.write(data)


def _boxes(n, seed):
    """``(n, 4)`` xywh boxes with two decimals (exactly printable)."""
    rng = np.random.default_rng(seed)
    xy = np.round(rng.uniform(0, 200, (n, 2)), 2)
    wh = np.round(rng.uniform(5, 60, (n, 2)), 2)
    return np.concatenate([xy, wh], axis=1)


def _write_table(path, boxes, sep):
    def fmt(v):
        return 'NaN' if np.isnan(v) else f'{v:g}'
    with open(path, 'w') as f:
        for row in boxes:
            f.write(sep.join(fmt(v) for v in row) + '\n')


# ----------------------------------------------------------------------------
# OTB100
def test_otb100_table_facts():
    table = load_benchmark_meta('otb100')
    seqs = {s['name']: s for s in table['sequences']}
    assert len(table['sequences']) == len(seqs) == 100
    # multi-target folders get one sequence per annotation file
    for name in ('Jogging', 'Skating2', 'Human4'):
        assert name not in seqs
    assert seqs['Jogging.1']['anno_file'] == 'groundtruth_rect.1.txt'
    assert seqs['Jogging.2']['anno_file'] == 'groundtruth_rect.2.txt'
    assert seqs['Skating2.2']['folder'] == 'Skating2'
    assert seqs['Human4.2']['anno_file'] == 'groundtruth_rect.2.txt'
    ranges = {n: (s['start_frame'], s['end_frame']) for n, s in seqs.items()}
    assert ranges['David'] == (300, 770)
    assert ranges['Football1'] == (1, 74)
    assert ranges['Freeman3'] == (1, 460)
    assert ranges['Freeman4'] == (1, 283)
    assert ranges['Diving'] == (1, 215)
    assert ranges['BlurCar1'] == (247, 988)
    assert ranges['BlurCar3'] == (3, 359)
    assert ranges['BlurCar4'] == (18, 397)
    assert seqs['Tiger1']['init_omit'] == 5
    assert sum(s['init_omit'] for s in seqs.values()) == 5
    assert seqs['Board']['digits'] == 5
    assert {s['digits'] for n, s in seqs.items() if n != 'Board'} == {4}
    assert [n for n, s in seqs.items() if s['ext'] != 'jpg'] == ['KiteSurf']
    # 59,040 annotated frames over the 100 sequences
    assert sum(e - s + 1 for s, e in ranges.values()) == 59040
    codes = [c for c, _ in table['attribute_names']]
    assert codes == ['IV', 'SV', 'OCC', 'DEF', 'MB', 'FM', 'IPR', 'OPR',
                     'OV', 'BC', 'LR']
    for s in seqs.values():
        assert s['attributes'] and set(s['attributes']) <= set(codes)
    assert seqs['Basketball']['attributes'] == ['IV', 'OCC', 'DEF', 'OPR',
                                                'BC']
    assert seqs['Jogging.1']['attributes'] == seqs['Jogging.2']['attributes']


def _otb_sequence(root, folder, frames, digits, ext, annos):
    """Write one OTB folder: ``frames`` numbers, ``annos`` maps annotation
    file name -> (boxes, separator)."""
    _write_frames(osp.join(root, folder, 'img'),
                  [f'{i:0{digits}d}.{ext}' for i in frames],
                  _image_bytes('.' + ext))
    for fn, (boxes, sep) in annos.items():
        path = osp.join(root, folder, fn)
        if boxes is None:
            open(path, 'w').close()
        else:
            _write_table(path, boxes, sep)


@pytest.fixture
def otb_root(tmp_path):
    root = str(tmp_path / 'OTB100')
    boxes = {
        'David': _boxes(471, 0),
        'BlurCar1': _boxes(742, 1),
        'Board': _boxes(698, 2),
        'Jogging.1': _boxes(307, 3),
        'Jogging.2': _boxes(307, 4),
        'Human4.2': _boxes(667, 5),
        'Tiger1': _boxes(354, 6),
        'KiteSurf': _boxes(84, 7),
    }
    # frames outside the annotated range exist as in the download
    _otb_sequence(root, 'David', range(1, 771), 4, 'jpg',
                  {'groundtruth_rect.txt': (boxes['David'], ',')})
    _otb_sequence(root, 'BlurCar1', range(247, 989), 4, 'jpg',
                  {'groundtruth_rect.txt': (boxes['BlurCar1'], '\t')})
    # BlurCar1 line 496 is separated by spaces, the others by tabs
    path = osp.join(root, 'BlurCar1', 'groundtruth_rect.txt')
    lines = open(path).read().splitlines()
    lines[495] = lines[495].replace('\t', ' ')
    open(path, 'w').write('\n'.join(lines) + '\n')
    _otb_sequence(root, 'Board', range(1, 699), 5, 'jpg',
                  {'groundtruth_rect.txt': (boxes['Board'], ', ')})
    _otb_sequence(root, 'Jogging', range(1, 308), 4, 'jpg', {
        'groundtruth_rect.1.txt': (boxes['Jogging.1'], '  '),
        'groundtruth_rect.2.txt': (boxes['Jogging.2'], '\t')})
    _otb_sequence(root, 'Human4', range(1, 668), 4, 'jpg', {
        'groundtruth_rect.1.txt': (None, None),
        'groundtruth_rect.2.txt': (boxes['Human4.2'], ',')})
    _otb_sequence(root, 'Tiger1', range(1, 355), 4, 'jpg',
                  {'groundtruth_rect.txt': (boxes['Tiger1'], ',')})
    _otb_sequence(root, 'KiteSurf', range(1, 85), 4, 'png',
                  {'groundtruth_rect.txt': (boxes['KiteSurf'], '\t')})
    return root, boxes


OTB_NAMES = ['David', 'BlurCar1', 'Board', 'Jogging.1', 'Jogging.2',
             'Human4.2', 'Tiger1', 'KiteSurf']


def test_otb100_layout(otb_root):
    root, boxes = otb_root
    ds = DATASETS.build(dict(type='OTB100Dataset', data_root=root,
                             sequence_list=OTB_NAMES))
    assert ds.metainfo['dataset_name'] == 'OTB100'
    assert ds.metainfo['attribute_names']['OPR'] == 'Out-of-Plane Rotation'
    assert [ds.get_video_name(i) for i in range(ds.num_videos)] == OTB_NAMES
    assert ds.video_lengths.tolist() == [471, 742, 698, 307, 307, 667, 349,
                                         84]
    img = lambda *p: osp.join(root, *p)  # noqa: E731
    assert ds.get_frame_path(0, 0) == img('David', 'img', '0300.jpg')
    assert ds.get_frame_path(0, 470) == img('David', 'img', '0770.jpg')
    assert ds.get_frame_path(1, 0) == img('BlurCar1', 'img', '0247.jpg')
    assert ds.get_frame_path(2, 697) == img('Board', 'img', '00698.jpg')
    assert ds.get_frame_path(4, 5) == img('Jogging', 'img', '0006.jpg')
    assert ds.get_frame_path(6, 0) == img('Tiger1', 'img', '0006.jpg')
    assert ds.get_frame_path(7, 0) == img('KiteSurf', 'img', '0001.png')
    for i, name in enumerate(OTB_NAMES):
        expected = boxes[name][5:] if name == 'Tiger1' else boxes[name]
        ann = ds.get_annotation(i)
        np.testing.assert_array_equal(ann['bboxes_xywh'], expected)
        np.testing.assert_allclose(ann['bboxes'], xywh_to_xyxy(expected))
        assert ann['visible'].all()
        assert (ann['absent'] == -1).all() and (ann['cover'] == -1).all()
    assert ds.get_video_info(0)['attributes'] == [
        'IV', 'SV', 'OCC', 'DEF', 'MB', 'IPR', 'OPR']
    # the two Jogging targets differ
    assert not np.array_equal(ds.get_annotation(3)['bboxes'],
                              ds.get_annotation(4)['bboxes'])
    # got10k-toolkit convention: keep Tiger1's first frames
    ds = OTB100Dataset(root, sequence_list=['Tiger1'], init_omit=False)
    assert ds.video_lengths.tolist() == [354]
    assert ds.get_frame_path(0, 0).endswith('0001.jpg')
    np.testing.assert_array_equal(ds.get_annotation(0)['bboxes_xywh'],
                                  boxes['Tiger1'])


def test_otb100_test_mode(otb_root, tmp_path):
    root, boxes = otb_root
    names = tmp_path / 'names.txt'
    names.write_text('KiteSurf\nDavid\n')
    ds = OTB100Dataset(root, sequence_list=str(names), test_mode=True,
                       pipeline=TEST_PIPELINE)
    assert len(ds) == 84 + 471
    data = ds[84 + 2]  # David frame 2 = file 0302.jpg
    sample = data['data_samples']
    assert sample.video_name == 'David' and sample.frame_id == 2
    assert sample.img_path.endswith(osp.join('David', 'img', '0302.jpg'))
    assert data['inputs']['img'].shape == (3, 24, 32)
    np.testing.assert_allclose(sample.gt_instances.bboxes[0].numpy(),
                               xywh_to_xyxy(boxes['David'][2]), rtol=1e-6)
    assert ds[0]['data_samples'].img_path.endswith('0001.png')


def test_otb100_errors(otb_root, tmp_path):
    root, _ = otb_root
    with pytest.raises(AnnotationError, match=r"item 1: unknown sequence "
                       r"'Jogging'"):
        OTB100Dataset(root, sequence_list=['David', 'Jogging'])
    with pytest.raises(AnnotationError, match="listed twice"):
        OTB100Dataset(root, sequence_list=['David', 'David'])
    with pytest.raises(FileNotFoundError, match=r"'Basketball'.*Basketball"):
        OTB100Dataset(root, sequence_list=['David', 'Basketball'])
    # a frame inside the annotated range is missing
    os.remove(osp.join(root, 'David', 'img', '0500.jpg'))
    with pytest.raises(FileNotFoundError, match=r'0500\.jpg is missing'):
        OTB100Dataset(root, sequence_list=['David'])
    os.remove(osp.join(root, 'Human4', 'groundtruth_rect.2.txt'))
    with pytest.raises(FileNotFoundError, match=r'groundtruth_rect\.2\.txt'):
        OTB100Dataset(root, sequence_list=['Human4.2'])
    # malformed line / wrong row count: raised when parsed, file and line
    path = osp.join(root, 'Tiger1', 'groundtruth_rect.txt')
    lines = open(path).read().splitlines()
    bad = lines.copy()
    bad[9] = '1,2,3'
    open(path, 'w').write('\n'.join(bad) + '\n')
    ds = OTB100Dataset(root, sequence_list=['Tiger1'])
    with pytest.raises(AnnotationError,
                       match=r'groundtruth_rect\.txt, line 10: expected 4'):
        ds.get_annotation(0)
    open(path, 'w').write('\n'.join(lines[:-1]) + '\n')
    ds = OTB100Dataset(root, sequence_list=['Tiger1'])
    with pytest.raises(AnnotationError, match=r'353 boxes .* 354 annotated'):
        ds.get_annotation(0)


# ----------------------------------------------------------------------------
# UAV123
def test_uav123_table_facts():
    table = load_benchmark_meta('uav123')
    seqs = {s['name']: s for s in table['sequences']}
    assert len(seqs) == 123
    assert len({s['folder'] for s in seqs.values()}) == 91
    assert (seqs['bird1_1']['start_frame'], seqs['bird1_1']['end_frame']) \
        == (1, 253)
    assert (seqs['bird1_2']['start_frame'], seqs['bird1_2']['end_frame']) \
        == (775, 1477)
    assert seqs['car1_s']['folder'] == 'car1_s'
    assert seqs['group3_4']['end_frame'] == 5527
    assert len(table['attribute_names']) == 12


@pytest.fixture
def uav_root(tmp_path):
    root = str(tmp_path / 'UAV123')
    data = _image_bytes()
    seq = osp.join(root, 'data_seq', 'UAV123')
    anno = osp.join(root, 'anno', 'UAV123')
    os.makedirs(osp.join(anno, 'att'))
    # bird1 frames of its two first sub-sequences only
    _write_frames(osp.join(seq, 'bird1'),
                  [f'{i:06d}.jpg' for i in [*range(1, 254),
                                            *range(775, 1478)]], data)
    _write_frames(osp.join(seq, 'uav2'),
                  [f'{i:06d}.jpg' for i in range(1, 134)], data)
    boxes = {'bird1_1': _boxes(253, 0), 'bird1_2': _boxes(703, 1),
             'uav2': _boxes(133, 2)}
    boxes['bird1_2'][[10, 11, 12, 500]] = np.nan
    for name, b in boxes.items():
        _write_table(osp.join(anno, f'{name}.txt'), b, ',')
    with open(osp.join(anno, 'att', 'uav2.txt'), 'w') as f:
        f.write('1,0,1,0,0,0,0,0,0,1,1,0\n')
    return root, boxes


def test_uav123_layout_and_absent_rows(uav_root):
    root, boxes = uav_root
    ds = DATASETS.build(dict(type='UAV123Dataset', data_root=root,
                             sequence_list=['bird1_1', 'bird1_2', 'uav2']))
    assert ds.metainfo['dataset_name'] == 'UAV123'
    assert ds.video_lengths.tolist() == [253, 703, 133]
    seq = osp.join(root, 'data_seq', 'UAV123')
    assert ds.get_frame_path(0, 252) == osp.join(seq, 'bird1', '000253.jpg')
    assert ds.get_frame_path(1, 0) == osp.join(seq, 'bird1', '000775.jpg')
    assert ds.get_frame_path(1, 702) == osp.join(seq, 'bird1', '001477.jpg')
    ann = ds.get_annotation(1)
    nan_rows = [10, 11, 12, 500]
    assert np.isnan(ann['bboxes'][nan_rows]).all()
    assert np.isnan(ann['bboxes_xywh'][nan_rows]).all()
    assert ann['absent'][nan_rows].tolist() == [1] * 4
    assert not ann['visible'][nan_rows].any()
    keep = np.setdiff1d(np.arange(703), nan_rows)
    assert (ann['absent'][keep] == 0).all() and ann['visible'][keep].all()
    np.testing.assert_array_equal(ann['bboxes_xywh'][keep],
                                  boxes['bird1_2'][keep])
    assert ds.get_video_info(0)['attributes'] is None
    assert ds.get_video_info(2)['attributes'] == ['SV', 'LR', 'VC', 'CM']
    ds = UAV123Dataset(root, sequence_list=['bird1_2'], test_mode=True,
                       pipeline=TEST_PIPELINE)
    gt = ds[11]['data_samples'].gt_instances
    assert torch.isnan(gt.bboxes).all() and not bool(gt.visible[0])
    assert gt.absent.tolist() == [1]


def test_uav123_errors(uav_root):
    root, _ = uav_root
    with pytest.raises(FileNotFoundError, match=r"'bike1'.*bike1"):
        UAV123Dataset(root, sequence_list=['bike1'])
    # bird1_3 needs frames 1573-2437 of bird1
    _write_table(osp.join(root, 'anno', 'UAV123', 'bird1_3.txt'),
                 _boxes(865, 3), ',')
    with pytest.raises(FileNotFoundError,
                       match=r"bird1_3.*001573\.jpg is missing"):
        UAV123Dataset(root, sequence_list=['bird1_3'])
    att = osp.join(root, 'anno', 'UAV123', 'att', 'uav2.txt')
    with open(att, 'w') as f:
        f.write('1,0,1,0,0,0,0,0,0,1,1\n')
    with pytest.raises(AnnotationError, match=r'uav2\.txt, line 1: expected '
                       r'12 numbers'):
        UAV123Dataset(root, sequence_list=['uav2'])
    with open(att, 'w') as f:
        f.write('1,0,2,0,0,0,0,0,0,1,1,0\n')
    with pytest.raises(AnnotationError, match=r'flags \(0 or 1\)'):
        UAV123Dataset(root, sequence_list=['uav2'])
    os.remove(att)
    path = osp.join(root, 'anno', 'UAV123', 'uav2.txt')
    with open(path, 'a') as f:
        f.write('1,2,3,4\n')
    ds = UAV123Dataset(root, sequence_list=['uav2'])
    with pytest.raises(AnnotationError, match=r'134 boxes .* 133 frames'):
        ds.get_annotation(0)
    os.rename(osp.join(root, 'anno'), osp.join(root, 'annotations'))
    with pytest.raises(FileNotFoundError, match=r'anno/UAV123'):
        UAV123Dataset(root)


# ----------------------------------------------------------------------------
# COCO
def _write_coco(root, split='train2017', annotations=None):
    img_dir = osp.join(root, split)
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
    rng = np.random.default_rng(0)
    images = []
    for image_id, (h, w) in ((9, (48, 64)), (25, (40, 56))):
        img = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
        fn = f'{image_id:012d}.jpg'
        cv2.imwrite(osp.join(img_dir, fn), img)
        images.append(dict(id=image_id, file_name=fn, width=w, height=h))
    if annotations is None:
        annotations = [
            dict(id=7, image_id=9, bbox=[10.5, 8.0, 20.0, 16.25],
                 area=250.0, iscrowd=0, category_id=1),
            dict(id=3, image_id=25, bbox=[4, 6, 30, 20], area=500.0,
                 iscrowd=0, category_id=18),
            dict(id=5, image_id=9, bbox=[1, 1, 40, 30], area=900.0,
                 iscrowd=1, category_id=1),  # crowd
            dict(id=8, image_id=9, bbox=[30, 30, 3, 2], area=6.0,
                 iscrowd=0, category_id=2),  # tiny
            dict(id=11, image_id=25, bbox=[5, 5, 0, 10], area=0.0,
                 iscrowd=0, category_id=2),  # no width
        ]
    with open(osp.join(root, 'annotations', f'instances_{split}.json'),
              'w') as f:
        json.dump(dict(images=images, annotations=annotations,
                       categories=[dict(id=1, name='person')]), f)
    return root


def test_coco_instances_are_one_frame_videos(tmp_path):
    root = _write_coco(str(tmp_path / 'coco'))
    ds = DATASETS.build(dict(type='COCOSOTDataset', data_root=root))
    assert ds.metainfo['dataset_name'] == 'COCO'
    names = [ds.get_video_name(i) for i in range(ds.num_videos)]
    assert names == ['000000000025_3', '000000000009_7', '000000000009_8']
    assert ds.video_lengths.tolist() == [1, 1, 1]
    assert ds.get_frame_path(1, 0) == osp.join(root, 'train2017',
                                               '000000000009.jpg')
    ann = ds.get_annotation(1)
    np.testing.assert_array_equal(ann['bboxes_xywh'], [[10.5, 8, 20, 16.25]])
    np.testing.assert_array_equal(ann['bboxes'], [[10.5, 8, 30.5, 24.25]])
    assert ann['visible'].tolist() == [True]
    assert ann['absent'].tolist() == [0]
    assert ds.get_frame_shape(1) == (48, 64)
    assert ds.get_video_info(0)['category_id'] == 18
    ds = COCOSOTDataset(root, min_area=10)
    assert [ds.get_video_name(i) for i in range(ds.num_videos)] == names[:2]
    with pytest.raises(AnnotationError, match='no instance is kept'):
        COCOSOTDataset(root, min_area=1e4)


COCO_PIPELINE = [
    dict(type='LoadFrames'),
    dict(type='SearchAreaCrop', template_factor=2., template_size=16,
         search_factor=2., search_size=16, scale_jitter=0.25,
         center_jitter=3.),
    dict(type='PackSOTInputs'),
]


def test_coco_pairs_through_pair_dataset(tmp_path, make_got10k):
    root = _write_coco(str(tmp_path / 'coco'))
    coco = dict(type='COCOSOTDataset', data_root=root)
    ds = DATASETS.build(
        dict(type='SOTPairDataset', datasets=[coco], samples_per_epoch=8,
             frame_sampler=dict(type='FrameSampler', mode='causal',
                                num_templates=2),
             pipeline=COCO_PIPELINE, seed=3))
    for i in range(8):
        res = ds.sample(ds.rng(0, i))
        assert res['label'] == 1 and res['dataset_name'] == 'COCO'
        assert [f['role'] for f in res['frames']] == \
            ['template', 'template', 'search']
        assert len({f['img_path'] for f in res['frames']}) == 1
        assert {f['frame_id'] for f in res['frames']} == {0}
        out = ds[i]
        # same image and box, search jittered: the crops differ
        assert out['inputs']['template'].shape == (2, 3, 16, 16)
        assert out['inputs']['search'].shape == (1, 3, 16, 16)
        assert torch.equal(out['inputs']['template'][0],
                           out['inputs']['template'][1])
        assert not torch.equal(out['inputs']['template'][0],
                               out['inputs']['search'][0])
    # negative pairs take the search frame from another instance
    neg = DATASETS.build(
        dict(type='SOTPairDataset', datasets=[coco], samples_per_epoch=10,
             frame_sampler=dict(type='FrameSampler', positive_ratio=0.),
             seed=0))
    for i in range(10):
        res = neg[i]
        template, search = res['frames']
        assert res['label'] == 0 and search['visible']
        assert not np.array_equal(template['bbox'], search['bbox'])
    # images and videos mixed
    got_root, _ = make_got10k(lengths=(24, 24))
    mixed = DATASETS.build(
        dict(type='SOTPairDataset',
             datasets=[coco, dict(type='GOT10kDataset', data_root=got_root)],
             samples_per_epoch=40,
             frame_sampler=dict(type='FrameSampler', mode='trident',
                                positive_ratio=0.5),
             pipeline=COCO_PIPELINE, seed=1))
    names = {mixed.sample(mixed.rng(0, i))['dataset_name'] for i in range(40)}
    assert names == {'COCO', 'GOT-10k'}
    for i in range(8):
        assert mixed[i]['inputs']['search'].shape == (1, 3, 16, 16)


def test_coco_errors(tmp_path):
    root = str(tmp_path / 'coco')
    with pytest.raises(FileNotFoundError, match='instances_train2017.json'):
        COCOSOTDataset(root)
    _write_coco(root, annotations=[dict(id=1, image_id=9, bbox=[1, 2, 3])])
    with pytest.raises(AnnotationError,
                       match=r'annotations\[0\] \(id 1\): bbox must be'):
        COCOSOTDataset(root)
    _write_coco(root, annotations=[dict(id=1, image_id=9, bbox=[1, 2, 3, 4]),
                                   dict(id=2, bbox=[1, 2, 3, 4])])
    with pytest.raises(AnnotationError,
                       match=r"annotations\[1\] \(id 2\): missing "
                       r"\['image_id'\]"):
        COCOSOTDataset(root)
    _write_coco(root, annotations=[dict(id=4, image_id=77,
                                        bbox=[1, 2, 3, 4])])
    with pytest.raises(AnnotationError, match='image_id 77 is not in'):
        COCOSOTDataset(root)
    path = osp.join(root, 'annotations', 'instances_val2017.json')
    os.makedirs(osp.join(root, 'val2017'))
    with open(path, 'w') as f:
        f.write('{"images": [],\n "annotations": [}\n')
    with pytest.raises(AnnotationError,
                       match=r'instances_val2017\.json, line 2: invalid JSON'):
        COCOSOTDataset(root, split='val2017')


# ----------------------------------------------------------------------------
# ImageNet VID
def _vid_xml(width, height, objects):
    parts = [f'<annotation><folder>x</folder><filename>f</filename>'
             f'<size><width>{width}</width><height>{height}</height></size>']
    for trackid, (x1, y1, x2, y2), occluded in objects:
        parts.append(
            f'<object><trackid>{trackid}</trackid><name>n02084071</name>'
            f'<bndbox><xmax>{x2}</xmax><xmin>{x1}</xmin><ymax>{y2}</ymax>'
            f'<ymin>{y1}</ymin></bndbox><occluded>{occluded}</occluded>'
            '<generated>0</generated></object>')
    parts.append('</annotation>')
    return '\n'.join(parts)


def _write_vid(root, split, video, frames):
    """``frames``: per frame, a list of ``(trackid, xyxy, occluded)``."""
    anno_dir = osp.join(root, 'Annotations', 'VID', split, video)
    os.makedirs(anno_dir, exist_ok=True)
    _write_frames(osp.join(root, 'Data', 'VID', split, video),
                  [f'{i:06d}.JPEG' for i in range(len(frames))],
                  _image_bytes(h=36, w=48))
    for i, objects in enumerate(frames):
        with open(osp.join(anno_dir, f'{i:06d}.xml'), 'w') as f:
            f.write(_vid_xml(48, 36, objects))


@pytest.fixture
def vid_root(tmp_path):
    root = str(tmp_path / 'ILSVRC2015')
    frames = []
    for i in range(10):
        objects = [(0, (2 + i, 3, 20 + i, 15), int(i == 3))]
        if i in (2, 3, 4, 7, 8):
            objects.append((1, (10, 10 + i, 30, 25 + i), 0))
        frames.append(objects)
    _write_vid(root, 'train', 'ILSVRC2015_VID_train_0000/'
               'ILSVRC2015_train_00000000', frames)
    _write_vid(root, 'train', 'ILSVRC2015_VID_train_0001/'
               'ILSVRC2015_train_00001000', [[], [(4, (1, 1, 9, 9), 0)]])
    _write_vid(root, 'val', 'ILSVRC2015_val_00000000',
               [[(0, (5, 5, 15, 15), 0)]] * 3)
    return root


def test_imagenet_vid_tracks(vid_root):
    root = vid_root
    ds = DATASETS.build(dict(type='ImageNetVIDDataset', data_root=root))
    assert ds.metainfo['dataset_name'] == 'ImageNetVID'
    assert [ds.get_video_name(i) for i in range(ds.num_videos)] == [
        'ILSVRC2015_train_00000000_0', 'ILSVRC2015_train_00000000_1',
        'ILSVRC2015_train_00001000_4']
    assert ds.video_lengths.tolist() == [10, 7, 1]
    data = osp.join(root, 'Data', 'VID', 'train')
    assert ds.get_frame_path(0, 9) == osp.join(
        data, 'ILSVRC2015_VID_train_0000', 'ILSVRC2015_train_00000000',
        '000009.JPEG')
    # track 1 starts at frame 2 and is missing in frames 5 and 6
    assert ds.get_frame_path(1, 0).endswith('000002.JPEG')
    assert ds.get_frame_path(2, 0).endswith(
        osp.join('ILSVRC2015_train_00001000', '000001.JPEG'))
    ann = ds.get_annotation(0)
    np.testing.assert_array_equal(ann['bboxes'][4], [6, 3, 24, 15])
    np.testing.assert_array_equal(ann['bboxes_xywh'][4], [6, 3, 18, 12])
    assert ann['absent'].tolist() == [0] * 10
    assert ann['visible'].tolist() == [i != 3 for i in range(10)]  # occluded
    assert ds.get_resolution(0) == (48, 36)
    assert ds.get_video_info(0)['class_name'] == 'n02084071'
    ann = ds.get_annotation(1)
    assert ann['absent'].tolist() == [0, 0, 0, 1, 1, 0, 0]
    assert ann['visible'].tolist() == [True, True, True, False, False, True,
                                       True]
    assert np.isnan(ann['bboxes'][[3, 4]]).all()
    np.testing.assert_array_equal(ann['bboxes'][5], [10, 17, 30, 32])
    ds = ImageNetVIDDataset(root, occluded_invisible=False)
    assert ds.get_annotation(0)['visible'].all()
    val = ImageNetVIDDataset(root, split='val', test_mode=True,
                             pipeline=TEST_PIPELINE)
    assert val.get_video_name(0) == 'ILSVRC2015_val_00000000_0'
    assert len(val) == 3
    assert val[2]['data_samples'].img_path.endswith(
        osp.join('val', 'ILSVRC2015_val_00000000', '000002.JPEG'))


def test_imagenet_vid_cache(vid_root, tmp_path):
    root = vid_root
    ds = ImageNetVIDDataset(root, cache_file='cache_train.json')
    cache = osp.join(root, 'cache_train.json')
    assert osp.isfile(cache)
    expected = [ds.get_annotation(i) for i in range(ds.num_videos)]
    names = [ds.get_video_name(i) for i in range(ds.num_videos)]
    # the cache is read instead of the XML files
    os.rename(osp.join(root, 'Annotations'), osp.join(root, 'Moved'))
    cached = ImageNetVIDDataset(root, cache_file=cache)
    assert [cached.get_video_name(i) for i in range(3)] == names
    for i, ann in enumerate(expected):
        got = cached.get_annotation(i)
        for key in ('bboxes', 'bboxes_xywh', 'visible', 'absent'):
            np.testing.assert_array_equal(got[key], ann[key])
    assert cached.get_frame_path(1, 0) == ds.get_frame_path(1, 0)
    with pytest.raises(AnnotationError, match=r"split 'train', but "
                       r"split='val'"):
        ImageNetVIDDataset(root, split='val', cache_file=cache)
    other = tmp_path / 'other.json'
    other.write_text('{"format": "something else"}')
    with pytest.raises(AnnotationError, match='delete it'):
        ImageNetVIDDataset(root, cache_file=str(other))


def test_imagenet_vid_errors(vid_root):
    root = vid_root
    anno = osp.join(root, 'Annotations', 'VID', 'train',
                    'ILSVRC2015_VID_train_0001', 'ILSVRC2015_train_00001000')
    with open(osp.join(anno, '000001.xml'), 'w') as f:
        f.write('<annotation>\n<size><width>4</width></size>\n<object>\n')
    with pytest.raises(AnnotationError, match=r'000001\.xml, line 4: invalid '
                       'XML'):
        ImageNetVIDDataset(root)
    with open(osp.join(anno, '000001.xml'), 'w') as f:
        f.write(_vid_xml(48, 36, [(4, (1, 1, 9, 9), 0)]).replace(
            '<trackid>4</trackid>', ''))
    with pytest.raises(AnnotationError,
                       match=r'000001\.xml: object 0 has no <trackid>'):
        ImageNetVIDDataset(root)
    with open(osp.join(anno, '000001.xml'), 'w') as f:
        f.write(_vid_xml(48, 36, [(4, (1, 1, 'x', 9), 0)]))
    with pytest.raises(AnnotationError, match=r"trackid 4\) <bndbox/xmax> is "
                       r"'x', not a number"):
        ImageNetVIDDataset(root)
    os.rename(osp.join(anno, '000001.xml'), osp.join(anno, '000002.xml'))
    with pytest.raises(AnnotationError, match=r'000001\.xml is missing'):
        ImageNetVIDDataset(root)
    with pytest.raises(FileNotFoundError, match=r'Annotations/VID/test'):
        ImageNetVIDDataset(root, split='test')
