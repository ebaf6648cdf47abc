"""Training/test transforms on in-memory frames."""
import numpy as np
import pytest
import torch

from mmtrack_ext.datasets import InvalidCropError
from mmtrack_ext.datasets.transforms import (BrightnessJitter,
                                             CheckPaddingValidity,
                                             GaussianBlur, JointFlip,
                                             JointGrayscale, PackSOTInputs,
                                             SearchAreaCrop, jitter_box)
from mmtrack_ext.registry import TRANSFORMS
from mmtrack_ext.structures import SOTDataSample, xyxy_to_cxcywh


def _image(h=200, w=300, seed=0):
    img = np.random.default_rng(seed).integers(0, 100, (h, w, 3), np.uint8)
    img[50:90, 100:140] = (10, 200, 250)  # the target
    return img


def _results(num_templates=1, seed=0, box=(100., 50., 140., 90.)):
    frames = [
        dict(img=_image(), bbox=np.array(box, np.float32), visible=True,
             frame_id=i, role='template', img_path=f't{i}.jpg',
             ori_shape=(200, 300)) for i in range(num_templates)
    ]
    frames.append(
        dict(img=_image(), bbox=np.array(box, np.float32), visible=True,
             frame_id=num_templates, role='search', img_path='s.jpg',
             ori_shape=(200, 300)))
    return dict(frames=frames, label=1, video_name='v',
                rng=np.random.default_rng(seed))


def test_crop_without_jitter_maps_box_exactly():
    crop = TRANSFORMS.build(
        dict(type='SearchAreaCrop', template_factor=2., template_size=64,
             search_factor=4., search_size=128))
    res = crop(_results())
    template, search = res['frames']
    # search: side ceil(40 * 4) = 160 around centre (120, 70): window
    # (40, -10); scale 128 / 160 = 0.8 -> box centred, side 128 / 4 = 32
    assert search['crop_window'] == (40, -10, 160, 160)
    np.testing.assert_allclose(search['bbox'], [48, 48, 80, 80], atol=1e-5)
    assert search['bbox'].dtype == np.float32
    assert search['img'].shape == (128, 128, 3)
    assert search['img'].dtype == np.uint8
    np.testing.assert_array_equal(search['img'][64, 64], (10, 200, 250))
    mask = search['padding_mask']
    assert mask.shape == (128, 128) and mask.dtype == bool
    assert mask[:8].all() and not mask[8:].any()  # 10 rows above the image
    assert (search['img'][:8] == 0).all()
    # template: side 80, scale 64 / 80 -> box of side 32 centred at 32
    np.testing.assert_allclose(template['bbox'], [16, 16, 48, 48], atol=1e-5)
    assert template['img'].shape == (64, 64, 3)
    assert not template['padding_mask'].any()
    assert search['ori_shape'] == (200, 300)


def test_jitter_statistics_and_determinism():
    rng = np.random.default_rng(0)
    box = np.array([100., 50., 140., 90.])
    jittered = np.stack([jitter_box(box, 0.25, 3., rng) for _ in range(4000)])
    cx, cy, w, h = xyxy_to_cxcywh(jittered).T
    np.testing.assert_allclose(np.log(w / 40).std(), 0.25, atol=0.02)
    np.testing.assert_allclose(np.log(h / 40).std(), 0.25, atol=0.02)
    offset = (cx - 120) / np.sqrt(w * h)  # U(-1.5, 1.5) with factor 3
    assert -1.5 <= offset.min() < -1.4 and 1.4 < offset.max() <= 1.5
    crop = SearchAreaCrop(search_size=64, template_size=32, scale_jitter=0.25,
                          center_jitter=3.)
    a, b = crop(_results(seed=5)), crop(_results(seed=5))
    np.testing.assert_array_equal(a['frames'][1]['img'], b['frames'][1]['img'])
    c = crop(_results(seed=6))
    assert not np.array_equal(a['frames'][1]['bbox'], c['frames'][1]['bbox'])
    # templates are not jittered by default
    np.testing.assert_allclose(a['frames'][0]['bbox'], [8, 8, 24, 24],
                               atol=1e-5)


def test_crop_rejects_invalid_boxes():
    res = _results(box=(10., 10., 10., 30.))  # zero width
    with pytest.raises(InvalidCropError, match='invalid box'):
        SearchAreaCrop()(res)


def test_padding_validity():
    check = CheckPaddingValidity(stride=16)
    crop = SearchAreaCrop(search_size=128, template_size=64)
    res = crop(_results())
    check(res)  # mostly inside the image
    # target far outside the image: search crop is all padding
    res = crop(_results(box=(1000., 1000., 1040., 1040.)))
    assert res['frames'][1]['padding_mask'].all()
    with pytest.raises(InvalidCropError, match='template crop of t0.jpg'):
        check(res)
    with pytest.raises(InvalidCropError, match='search crop of s.jpg'):
        CheckPaddingValidity(roles=['search'])(res)
    # a valid strip thinner than the stride vanishes on the feature grid
    mask = np.ones((128, 128), bool)
    mask[:, 20:28] = False
    assert check.downsample(mask, 16).all()
    res = dict(frames=[dict(role='search', padding_mask=mask)])
    with pytest.raises(InvalidCropError):
        check(res)
    mask[:, 28:40] = False
    check(res)


def test_joint_flip_mirrors_boxes_images_masks():
    crop = SearchAreaCrop(search_size=128, template_size=64)
    res = crop(_results(num_templates=2))
    before = [
        (f['img'].copy(), f['bbox'].copy(), f['padding_mask'].copy())
        for f in res['frames']
    ]
    res['rng'] = np.random.default_rng(0)
    JointFlip(prob=1.)(res)
    for f, (img, box, mask) in zip(res['frames'], before):
        w = img.shape[1]
        np.testing.assert_array_equal(f['img'], img[:, ::-1])
        np.testing.assert_array_equal(f['padding_mask'], mask[:, ::-1])
        np.testing.assert_allclose(f['bbox'],
                                   [w - box[2], box[1], w - box[0], box[3]])
    JointFlip(prob=1.)(res)
    for f, (img, box, _) in zip(res['frames'], before):
        np.testing.assert_array_equal(f['img'], img)
        np.testing.assert_allclose(f['bbox'], box)
    # one draw for all frames
    for seed in range(10):
        res = _results(num_templates=2, seed=seed)
        JointFlip(prob=0.5)(res)
        flips = {f.get('flip', False) for f in res['frames']}
        assert len(flips) == 1


def test_photometric_augmentations():
    res = _results(num_templates=2)
    JointGrayscale(prob=1.)(res)
    for f in res['frames']:
        assert f['img'].shape == (200, 300, 3) and f['img'].dtype == np.uint8
        assert (f['img'][..., 0] == f['img'][..., 1]).all()
    res = _results()
    res['frames'][0]['img'] = np.full((4, 4, 3), 100, np.uint8)
    BrightnessJitter(factor=0.2)(res)
    value = res['frames'][0]['img'][0, 0, 0]
    assert 80 <= value <= 120 and res['frames'][0]['img'].dtype == np.uint8
    res = _results()
    GaussianBlur(prob=1., sigma=(1., 1.))(res)
    blurred = res['frames'][1]['img']
    assert blurred.dtype == np.uint8
    assert blurred.std() < _image().std()


def test_pack_training_sample():
    pipeline = [
        SearchAreaCrop(search_size=128, template_size=64),
        PackSOTInputs()
    ]
    res = _results(num_templates=2)
    res['label'] = 0
    for t in pipeline:
        res = t(res)
    inputs, sample = res['inputs'], res['data_samples']
    assert inputs['template'].shape == (2, 3, 64, 64)
    assert inputs['search'].shape == (1, 3, 128, 128)
    assert inputs['template'].dtype == inputs['search'].dtype == torch.uint8
    assert isinstance(sample, SOTDataSample)
    assert sample.gt_instances.bboxes.shape == (1, 4)
    assert sample.gt_instances.bboxes.dtype == torch.float32
    assert sample.gt_instances.labels.tolist() == [0]
    assert sample.gt_instances.labels.dtype == torch.long
    assert sample.template_instances.bboxes.shape == (2, 4)
    assert sample.search_shape == (128, 128)
    assert sample.template_shape == (64, 64)
    # BGR channel order is kept (the data preprocessor converts)
    assert inputs['search'][0, :, 64, 64].tolist() == [10, 200, 250]


def test_pack_test_frame():
    res = dict(
        frames=[
            dict(img=_image(), bbox=np.array([1, 2, 30, 40], np.float32),
                 visible=False, frame_id=3, role='frame', img_path='f.jpg',
                 ori_shape=(200, 300))
        ],
        video_name='v', video_id=2, video_length=9, absent=1, cover=0)
    out = PackSOTInputs()(res)
    assert out['inputs']['img'].shape == (3, 200, 300)
    s = out['data_samples']
    assert (s.video_id, s.video_name, s.frame_id, s.video_length,
            s.ori_shape, s.img_path) == (2, 'v', 3, 9, (200, 300), 'f.jpg')
    assert s.gt_instances.bboxes.tolist() == [[1, 2, 30, 40]]
    assert s.gt_instances.visible.tolist() == [False]
    assert s.gt_instances.absent.tolist() == [1]
    assert s.gt_instances.cover.tolist() == [0]
    with pytest.raises(ValueError, match='roles'):
        PackSOTInputs()(dict(frames=[dict(role='search', img=_image())]))
