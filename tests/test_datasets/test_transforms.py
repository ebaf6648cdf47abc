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


def test_generic_roles_pack_images_masks_and_boxes():
    res = _results(num_templates=2)
    extra = dict(res['frames'][0])
    extra.update(role='online_template', frame_id=5)
    res['frames'].insert(2, extra)
    crop = TRANSFORMS.build(
        dict(type='SearchAreaCrop', template_factor=2., template_size=64,
             search_factor=4., search_size=128))
    packed = PackSOTInputs()(crop(res))
    inputs, sample = packed['inputs'], packed['data_samples']
    assert inputs['template'].shape == (2, 3, 64, 64)
    assert inputs['online_template'].shape == (1, 3, 64, 64)
    assert inputs['search'].shape == (1, 3, 128, 128)
    assert inputs['search_padding_mask'].dtype == torch.bool
    assert inputs['search_padding_mask'].shape == (1, 128, 128)
    assert inputs['search_padding_mask'][0, :8].all()
    assert sample.online_template_instances.bboxes.shape == (1, 4)
    assert sample.template_instances.bboxes.shape == (2, 4)
    assert sample.metainfo['online_template_shape'] == (64, 64)
    # the preprocessor normalises images only; masks stay bool
    from mmtrack_ext.models import SOTDataPreprocessor
    data = SOTDataPreprocessor()(
        dict(inputs={k: [v, v] for k, v in inputs.items()},
             data_samples=[sample, sample]), True)['inputs']
    assert data['search'].shape == (2, 3, 128, 128)
    assert data['search'].dtype == torch.float32
    assert data['online_template'].shape == (2, 1, 3, 64, 64)
    assert data['search_padding_mask'].shape == (2, 128, 128)
    assert data['search_padding_mask'].dtype == torch.bool
    assert data['template_padding_mask'].shape == (2, 2, 64, 64)


def test_unknown_role_raises_naming_it():
    res = _results()
    res['frames'][0]['role'] = 'reference'
    crop = TRANSFORMS.build(dict(type='SearchAreaCrop'))
    with pytest.raises(ValueError, match="'reference'"):
        crop(res)
    crop = TRANSFORMS.build(dict(
        type='SearchAreaCrop', template_size=64, search_size=128,
        roles=dict(reference=dict(factor=3., size=48))))
    frames = crop(res)['frames']
    assert frames[0]['img'].shape == (48, 48, 3)


@pytest.mark.parametrize('mode', ['sqrt', 'context', 'non_square'])
def test_training_and_tracking_crops_agree(mode):
    """SearchAreaCrop (numpy, training) and the tracker's crop
    (crop_and_resize on a CHW uint8 tensor) give the same crop and box."""
    from mmtrack_ext.models import SOTDataPreprocessor
    from mmtrack_ext.models.trackers import BaseSOTTracker
    from mmtrack_ext.structures import box_to_crop, crop_and_resize
    box = (100., 50., 140., 90.)
    res = _results(box=box)
    img = res['frames'][1]['img'].copy()
    crop = TRANSFORMS.build(dict(
        type='SearchAreaCrop', template_size=64, search_factor=4.,
        search_size=128, crop_mode=mode, pad_value='mean'))
    search = crop(res)['frames'][1]

    class Probe:  # the tracker's crop() with a crop_mode
        test_cfg = type('Cfg', (), dict(crop_mode=mode, context_amount=0.5,
                                        pad_value='mean'))
        data_preprocessor = SOTDataPreprocessor(bgr_to_rgb=False, mean=(0,) *
                                                3, std=(1,) * 3)

    tensor = torch.from_numpy(img).permute(2, 0, 1).contiguous()
    crop_t, mask_t, window = BaseSOTTracker.crop(
        Probe, tensor, torch.tensor(box), 4., 128)
    assert tuple(window) == search['crop_window']
    diff = np.abs(crop_t[0].permute(1, 2, 0).numpy() -
                  search['img'].astype(np.float32))
    assert np.median(diff) <= 1 and diff.mean() < 3
    np.testing.assert_array_equal(mask_t[0].numpy(), search['padding_mask'])
    np.testing.assert_allclose(
        box_to_crop(np.asarray(box), window, 128), search['bbox'], atol=1e-4)
    # 'mean' padding is the frame's mean colour
    if search['padding_mask'].any():
        np.testing.assert_allclose(
            search['img'][search['padding_mask']][0],
            img.reshape(-1, 3).mean(0).astype(np.uint8), atol=1)
    assert crop_and_resize(img, window, 128, 'mean')[0].dtype == np.uint8


def test_crop_target_from_search_maps_back_to_the_frame_box():
    from mmtrack_ext.structures import box_from_crop, CropWindow
    box = np.array([100., 50., 160., 80.])  # 60 x 30
    res = _results(box=tuple(box))
    crop = TRANSFORMS.build(dict(
        type='SearchAreaCrop', template_size=64, search_factor=4.,
        search_size=128, scale_jitter=0.2, center_jitter=1.0))
    cut = TRANSFORMS.build(dict(type='CropTargetFromSearch', factor=2.,
                                size=56))
    frames = cut(crop(res))['frames']
    search, target = frames[1], frames[2]
    assert target['role'] == 'transfer_target'
    assert target['img'].shape == (56, 56, 3)
    # non-square 2w x 2h window: the box fills the middle half both ways
    np.testing.assert_allclose(target['bbox'], [14, 14, 42, 42], atol=1.)
    in_search = box_from_crop(target['bbox'].astype(np.float64),
                              CropWindow(*target['crop_window']), 56)
    in_frame = box_from_crop(in_search, CropWindow(*search['crop_window']),
                             128)
    np.testing.assert_allclose(in_frame, box, atol=1e-3)
    packed = PackSOTInputs()(dict(res, frames=frames))
    assert packed['inputs']['transfer_target'].shape == (1, 3, 56, 56)


def test_context_mode_matches_the_siamfc_formula():
    from mmtrack_ext.structures import crop_window
    # pysot: w=40, h=80, p=0.5*(w+h)=60 -> s_z = sqrt(100*140) = 118.32
    win = crop_window(np.array([0., 0., 40., 80.]), 1.0, mode='context')
    assert win.side == 118
    win = crop_window(np.array([0., 0., 40., 80.]), 255 / 127,
                      mode='context')
    assert win.side == round(np.sqrt(100 * 140) * 255 / 127)
    win = crop_window(np.array([0., 0., 40., 80.]), 2., mode='non_square')
    assert (win.width, win.height) == (80, 160)
    with pytest.raises(ValueError, match='not square'):
        win.side


def test_colour_jitter_and_motion_blur():
    from mmtrack_ext.datasets.transforms import ColorJitter, MotionBlur
    res = _results()
    ColorJitter(brightness=0.2, contrast=0.2, saturation=0.2,
                roles=['search'])(res)
    template, search = res['frames'][0]['img'], res['frames'][1]['img']
    assert np.array_equal(template, _image())  # other roles untouched
    assert search.dtype == np.uint8 and not np.array_equal(search, _image())
    # each factor alone, at its extreme: brightness scales, saturation 0
    # greys out, contrast 0 flattens to the mean grey
    img = _image()[:8, :8]
    out = ColorJitter._apply(img, 'saturation', 0.)
    assert (out[..., 0] == out[..., 1]).all()
    out = ColorJitter._apply(img, 'contrast', 0.)
    assert out.std() < 1
    assert ColorJitter._apply(img, 'brightness', 0.5).mean() == \
        pytest.approx(img.mean() / 2, abs=1)
    with pytest.raises(ValueError, match='contrast'):
        ColorJitter(contrast=1.5)
    k = MotionBlur.kernel(7, 0.)
    assert k.sum() == pytest.approx(1.) and (k[3] > 0).all() and \
        k[:3].sum() == 0  # a horizontal line through the centre
    res = _results()
    MotionBlur(prob=1., kernel_size=(9, 9), roles=['template'])(res)
    assert res['frames'][0]['img'].std() < _image().std()
    assert np.array_equal(res['frames'][1]['img'], _image())
    with pytest.raises(ValueError, match='kernel_size'):
        MotionBlur(kernel_size=(1, 3))


def test_additive_mode_and_per_role_crop_modes():
    from mmtrack_ext.structures import crop_window
    # MAT: w' = w + (s - 1)(w + h) / 2, side ceil(sqrt(w' h'))
    win = crop_window(np.array([0., 0., 40., 80.]), 4., mode='additive')
    assert win.side == int(np.ceil(np.sqrt((40 + 180) * (80 + 180))))
    win = crop_window(np.array([0., 0., 40., 80.]), 1., mode='additive')
    assert win.side == int(np.ceil(np.sqrt(40 * 80)))
    # MAT's pre-training: a 2w x 2h template next to a square search area
    box = (100., 50., 160., 80.)
    crop = TRANSFORMS.build(dict(
        type='SearchAreaCrop', search_factor=4., search_size=128,
        crop_mode='additive',
        roles=dict(template=dict(factor=2., size=64,
                                 crop_mode='non_square'))))
    frames = crop(_results(box=box))['frames']
    w, h = frames[0]['crop_window'][2:]
    assert (w, h) == (120, 60)
    np.testing.assert_allclose(frames[0]['bbox'], [16, 16, 48, 48], atol=1)
    w, h = frames[1]['crop_window'][2:]
    assert w == h == int(np.ceil(np.sqrt((60 + 135) * (30 + 135))))
    with pytest.raises(ValueError, match='crop_mode'):
        SearchAreaCrop(roles=dict(template=dict(factor=2., size=64,
                                                crop_mode='round')))
