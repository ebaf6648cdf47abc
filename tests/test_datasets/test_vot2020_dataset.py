"""VOT2020Dataset on tiny sequences in the VOT toolkit's layout."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
import pytest

from mmtrack_ext.datasets import AnnotationError, VOT2020Dataset
from mmtrack_ext.evaluation import (evaluate_vot2020,
                                    fragment_regions_from_boxes,
                                    load_vot_results,
                                    write_vot_sequence_results)
from mmtrack_ext.evaluation.functional import fragment_frames
from mmtrack_ext.registry import DATASETS
from mmtrack_ext.structures.regions import (Mask, Rectangle, Special,
                                            format_region, parse_region,
                                            region_to_box)

W, H = 40, 30


def write_vot(root: str,
              lengths: Sequence[int] = (12, ),
              anchors: Optional[Dict[int, Dict[int, int]]] = None,
              tags: Optional[Dict[str, List[int]]] = None,
              metadata: bool = True,
              with_size: bool = True,
              gt_lines: Optional[int] = None,
              seed: int = 0) -> List[dict]:
    """Write sequences of ``lengths`` frames: ``color/%08d.jpg`` JPEGs of
    ``W x H``, RLE mask ground truth (every 4th frame a rectangle, frame 5
    an empty mask), ``anchor.value`` (default: anchors on frames 0 and, if
    long enough, a backward one on frame 10), optional tag files (applied
    to every sequence) and a ``sequence`` file. Returns per sequence
    ``name``, ``dir`` and ``regions``."""
    rng = np.random.default_rng(seed)
    out = []
    for i, n in enumerate(lengths):
        name = f'seq{i}'
        d = osp.join(root, name)
        os.makedirs(osp.join(d, 'color'), exist_ok=True)
        regions = []
        for f in range(n):
            img = np.full((H, W, 3), 40, np.uint8)
            x, y = 5 + f % 10, 4 + f % 6
            if f == 5:
                regions.append(Mask(np.zeros((3, 3), bool)))
            elif f % 4 == 3:
                regions.append(Rectangle(x + 0.5, y, 9, 7))
            else:
                patch = rng.random((8, 10)) < 0.7
                patch[0, 0] = patch[-1, -1] = True  # tight 10 x 8
                regions.append(Mask(patch, (x, y)))
                img[y:y + 8, x:x + 10][patch] = 220
            cv2.imwrite(osp.join(d, 'color', f'{f + 1:08d}.jpg'), img)
        lines = [format_region(r) for r in regions][:gt_lines]
        with open(osp.join(d, 'groundtruth.txt'), 'w') as fh:
            fh.write(''.join(line + '\n' for line in lines))
        if metadata:
            size = f'width={W}\nheight={H}\n' if with_size else ''
            with open(osp.join(d, 'sequence'), 'w') as fh:
                fh.write('channels.color=color/%08d.jpg\nformat=default\n'
                         f'fps=30\nname={name}\n{size}')
        anc = (anchors or {}).get(i, {0: 1, 10: -1} if n > 10 else {0: 1})
        if anc is not None:
            values = np.zeros(n)
            for f, v in anc.items():
                values[f] = v
            with open(osp.join(d, 'anchor.value'), 'w') as fh:
                fh.write(''.join(f'{v:g}\n' for v in values))
        for tag, flags in (tags or {}).items():
            with open(osp.join(d, f'{tag}.tag'), 'w') as fh:
                fh.write(''.join(f'{v}\n' for v in flags))
        out.append(dict(name=name, dir=d, regions=regions))
    with open(osp.join(root, 'list.txt'), 'w') as fh:
        fh.write(''.join(v['name'] + '\n' for v in out))
    return out


def test_layout_and_annotation(tmp_path):
    root = str(tmp_path)
    videos = write_vot(root, lengths=(12, 6),
                       tags={'occlusion': [0, 1, 1, 0], 'camera_motion': []})
    ds = DATASETS.build(dict(type='VOT2020Dataset', data_root=root))
    assert isinstance(ds, VOT2020Dataset)
    assert ds.num_videos == 2 and ds.video_lengths.tolist() == [12, 6]
    assert ds.get_frame_path(0, 0) == osp.join(root, 'seq0', 'color',
                                               '00000001.jpg')
    assert ds.get_resolution(0) == (W, H)
    ann = ds.get_annotation(0)
    assert ann['regions'] == tuple(videos[0]['regions'])
    boxes = np.stack([region_to_box(r) for r in videos[0]['regions']])
    np.testing.assert_array_equal(ann['bboxes_xywh'], boxes)
    np.testing.assert_array_equal(ann['bboxes_xywh'][0], [5, 4, 10, 8])
    np.testing.assert_array_equal(ann['bboxes'][0], [5, 4, 15, 12])
    np.testing.assert_array_equal(ann['bboxes_xywh'][3], [8.5, 7, 9, 7])
    assert np.isnan(ann['bboxes'][5]).all()  # empty mask
    assert ann['visible'].tolist() == [f != 5 for f in range(12)]
    assert ann['absent'][5] == 1 and ann['absent'][0] == 0
    assert (ann['cover'] == -1).all()
    tags = ds.get_tags(0)
    assert sorted(tags) == ['camera_motion', 'occlusion']
    assert tags['occlusion'].tolist() == [False, True, True] + [False] * 9
    assert not tags['camera_motion'].any()
    assert ds.get_anchors(0)[[0, 10]].tolist() == [1, -1]
    assert ds.get_anchor_frames(0) == ([0], [10])
    assert ds.get_anchor_frames(1) == ([0], [])
    np.testing.assert_array_equal(ann['values']['anchor'], ann['anchors'])
    assert not ann['anchors'].flags.writeable
    seq = ds.get_vot_sequence(1)
    assert seq['resolution'] == (W, H) and len(seq['gt']) == 6


def test_test_mode_frames(tmp_path):
    root = str(tmp_path)
    write_vot(root, lengths=(4, 3))
    ds = VOT2020Dataset(root, test_mode=True)
    assert len(ds) == 7
    item = ds[5]  # video 1, frame 1
    assert item['video_name'] == 'seq1' and item['video_length'] == 3
    frame = item['frames'][0]
    assert frame['frame_id'] == 1 and frame['visible']
    np.testing.assert_array_equal(frame['bbox'], [6, 5, 16, 13])
    assert frame['img_path'].endswith(osp.join('seq1', 'color',
                                               '00000002.jpg'))


def test_defaults_of_the_toolkit(tmp_path):
    root = str(tmp_path)
    # no sequence file, no anchors, ground truth two lines short
    write_vot(root, lengths=(8, ), metadata=False, anchors={0: None},
              gt_lines=6)
    ds = VOT2020Dataset(root)
    assert ds.video_lengths.tolist() == [8]  # frames counted from 1
    ann = ds.get_annotation(0)
    assert ann['regions'][6:] == (Special(0), Special(0))
    assert ann['absent'][6:].tolist() == [-1, -1]
    assert not ann['visible'][6:].any()
    assert ann['resolution'] == (W, H)  # from the first frame
    assert ds.get_anchor_frames(0) == ([0], [])  # default: frame 0
    with pytest.raises(AnnotationError, match='no anchor.value'):
        VOT2020Dataset(root, missing_anchors='error').get_annotation(0)
    os.remove(osp.join(root, 'seq0', 'color', '00000004.jpg'))
    with pytest.raises(FileNotFoundError, match='00000004.jpg is missing'):
        VOT2020Dataset(root)
    with pytest.raises(ValueError, match='missing_anchors'):
        VOT2020Dataset(root, missing_anchors='middle')


def test_custom_frame_pattern_and_length(tmp_path):
    root = str(tmp_path)
    videos = write_vot(root, lengths=(5, ))
    d = videos[0]['dir']
    os.rename(osp.join(d, 'color'), osp.join(d, 'images'))
    for f in range(5):
        os.rename(osp.join(d, 'images', f'{f + 1:08d}.jpg'),
                  osp.join(d, 'images', f'{f + 1:04d}.jpg'))
    with open(osp.join(d, 'sequence'), 'w') as fh:
        fh.write('channels.color=images/%04d.jpg\nlength=4\nwidth=40\n'
                 'height=30\n')
    ds = VOT2020Dataset(root, sequence_list=['seq0'])
    assert ds.video_lengths.tolist() == [4]  # the metadata's length
    assert ds.get_frame_path(0, 3).endswith(osp.join('images', '0004.jpg'))
    with pytest.raises(AnnotationError, match='5 regions'):
        ds.get_annotation(0)
    with open(osp.join(d, 'sequence'), 'w') as fh:
        fh.write('channels.color=images/%04d.jpg\nlength=9\n')
    with pytest.raises(FileNotFoundError, match='0006.jpg is missing'):
        VOT2020Dataset(root)
    with open(osp.join(d, 'sequence'), 'w') as fh:
        fh.write('channels.color=images/%04d.jpg\nlength=four\n')
    with pytest.raises(AnnotationError, match=r'sequence, line 2: length'):
        VOT2020Dataset(root)


def test_errors_name_file_and_line(tmp_path):
    root = str(tmp_path)
    videos = write_vot(root, lengths=(6, ))
    d = videos[0]['dir']
    gt = osp.join(d, 'groundtruth.txt')
    lines = open(gt).read().splitlines()
    lines[2] = '1,2,3'
    open(gt, 'w').write('\n'.join(lines) + '\n')
    with pytest.raises(AnnotationError, match=r'groundtruth\.txt, line 3'):
        VOT2020Dataset(root).get_annotation(0)
    open(gt, 'w').write('1,2,3,4\n' * 6)
    with open(osp.join(d, 'anchor.value'), 'w') as fh:
        fh.write('1\n0\nx\n')
    with pytest.raises(AnnotationError, match=r'anchor\.value, line 3'):
        VOT2020Dataset(root).get_annotation(0)
    with open(osp.join(d, 'anchor.value'), 'w') as fh:
        fh.write('0\n' * 6)
    with pytest.raises(AnnotationError, match='no anchor'):
        VOT2020Dataset(root).get_annotation(0)
    with open(osp.join(d, 'anchor.value'), 'w') as fh:
        fh.write('1\n')
    with open(osp.join(d, 'occlusion.tag'), 'w') as fh:
        fh.write('0\n' * 7)
    with pytest.raises(AnnotationError, match=r'occlusion\.tag: 7 lines'):
        VOT2020Dataset(root).get_annotation(0)
    os.remove(osp.join(d, 'occlusion.tag'))
    assert VOT2020Dataset(root).get_anchor_frames(0) == ([0], [])
    os.remove(gt)
    with pytest.raises(FileNotFoundError, match='groundtruth.txt'):
        VOT2020Dataset(root)
    open(gt, 'w').write('1,2,3,4\n' * 6)
    with open(osp.join(root, 'list.txt'), 'a') as fh:
        fh.write('nothere\n')
    with pytest.raises(FileNotFoundError, match='list.txt, line 2'):
        VOT2020Dataset(root, sequence_list='list.txt')
    with pytest.raises(FileNotFoundError, match='data root'):
        VOT2020Dataset(str(tmp_path / 'missing'))


def test_results_end_to_end(tmp_path):
    """Dataset -> result files of a box tracker -> vot2020 protocol."""
    data = str(tmp_path / 'sequences')
    write_vot(data, lengths=(14, 9), anchors={1: {0: 1, 8: -1}})
    ds = VOT2020Dataset(data)
    results = str(tmp_path / 'results' / 'box_tracker' / 'baseline')
    expected = {}
    for v in range(ds.num_videos):
        seq = ds.get_vot_sequence(v)
        xywh = ds.get_annotation(v)['bboxes_xywh']
        fragments = {}
        forward, backward = ds.get_anchor_frames(v)
        for a in forward + backward:
            frames = fragment_frames(len(xywh), a, a in backward)
            fragments[a] = fragment_regions_from_boxes(xywh[frames])
        write_vot_sequence_results(results, ds.get_video_name(v), fragments,
                                   binary=v == 1)
        expected[ds.get_video_name(v)] = dict(seq, pred=fragments)
    loaded = load_vot_results(results, ds)
    assert sorted(loaded) == ['seq0', 'seq1']
    assert sorted(loaded['seq1']['pred']) == [0, 8]
    out = evaluate_vot2020(loaded, low=2, high=20)
    ref = evaluate_vot2020(expected, low=2, high=20)
    assert out['overall'] == ref['overall']
    # the tight boxes of the masks never drop below the failure threshold
    assert out['overall']['R'] == 1.0
    assert 0.3 < out['overall']['A'] < 1.0
    os.remove(osp.join(results, 'seq1', 'seq1_00000008.bin'))
    with pytest.raises(FileNotFoundError, match='seq1_00000008'):
        load_vot_results(results, ds)


def test_matches_vot_toolkit_reader(tmp_path):
    """Optional: vot-toolkit 0.9.0 reads the same regions, tags, values."""
    common = pytest.importorskip('vot.dataset.common')
    root = str(tmp_path)
    write_vot(root, lengths=(12, ), tags={'occlusion': [0, 1, 1]},
              gt_lines=11)
    ds = VOT2020Dataset(root)
    seq = common.read_sequence(osp.join(root, 'seq0'))
    assert len(seq) == ds.get_video_length(0)
    assert seq.size == ds.get_resolution(0)
    ann = ds.get_annotation(0)
    assert tuple(parse_region(str(r))
                 for r in seq.groundtruth()) == ann['regions']
    for f in range(len(seq)):
        frame = seq.frame(f)
        assert frame.tags() == [t for t, v in ann['tags'].items() if v[f]]
        assert frame.values() == {
            k: float(v[f]) for k, v in ann['values'].items()}
