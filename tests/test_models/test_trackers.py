"""Trackers built from the real configs, run on tiny inputs."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.structures import InstanceData

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures import SOTDataSample, xyxy_to_cxcywh

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs')


def _model_cfg(name):
    return Config.fromfile(osp.join(CONFIGS, name)).model


def _train_batch(model_cfg, batch=2, num_templates=1, negative=False):
    tz = model_cfg.test_cfg.template_size
    sx = model_cfg.test_cfg.search_size
    samples = []
    for i in range(batch):
        s = SOTDataSample(
            metainfo=dict(search_shape=(sx, sx), template_shape=(tz, tz)))
        label = 0 if (negative and i == 0) else 1
        s.gt_instances = InstanceData(
            bboxes=torch.tensor([[0.3, 0.35, 0.6, 0.7]]) * sx,
            labels=torch.tensor([label]))
        samples.append(s)
    g = torch.Generator().manual_seed(0)
    return dict(
        inputs=dict(
            template=[torch.randint(0, 256, (num_templates, 3, tz, tz),
                                    dtype=torch.uint8, generator=g)] * batch,
            search=[torch.randint(0, 256, (1, 3, sx, sx), dtype=torch.uint8,
                                  generator=g)] * batch),
        data_samples=samples)


def _track_video(model, num_frames=3, size=(180, 240)):
    model.eval()
    g = torch.Generator().manual_seed(1)
    outs = []
    for f in range(num_frames):
        s = SOTDataSample(metainfo=dict(
            video_id=7, video_name='v', frame_id=f, video_length=num_frames))
        s.gt_instances = InstanceData(
            bboxes=torch.tensor([[60., 50., 120., 110.]]))
        img = torch.randint(0, 256, (3, *size), dtype=torch.uint8,
                            generator=g)
        data = model.data_preprocessor(
            dict(inputs=dict(img=[img]), data_samples=[s]), False)
        outs += model(**data, mode='predict')
    return outs


@pytest.mark.parametrize('config', [
    'onestream/onestream_vit-tiny-p8_center_synthetic.py',
    'siamese/siamese_r18_dwcorr_corner_synthetic.py',
])
def test_tiny_trackers_learn_step_and_track(config):
    cfg = _model_cfg(config)
    model = MODELS.build(cfg)
    model.init_weights()
    data = model.data_preprocessor(_train_batch(cfg, negative=True), True)
    losses = model(**data, mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert any(g is not None and g.abs().sum() > 0 for g in grads)
    outs = _track_video(model)
    assert torch.equal(outs[0].pred_instances.bboxes,
                       torch.tensor([[60., 50., 120., 110.]]))
    for out in outs[1:]:
        box = out.pred_instances.bboxes[0]
        assert 0 <= box[0] < box[2] <= 240 and 0 <= box[1] < box[3] <= 180
        assert 0 <= out.pred_instances.scores[0] <= 1
    assert model._states == {}  # state dropped after the last frame


def test_vit_b_ostrack_config_one_iteration():
    cfg = _model_cfg('ostrack/ostrack_vit-b16-256_got10k.py')
    model = MODELS.build(cfg)
    assert model.backbone.pos_embed_search.shape == (1, 256, 768)
    data = model.data_preprocessor(_train_batch(cfg, batch=1), True)
    losses = model(**data, mode='loss')
    sum(losses.values()).backward()
    assert model.backbone.blocks[0].attn.qkv.weight.grad is not None
    outs = _track_video(model, num_frames=2)
    assert outs[1].pred_instances.bboxes.shape == (1, 4)


def test_tracker_maps_crop_boxes_back_to_the_frame():
    """A head that outputs the true box in the crop gives the true box in the
    frame: crop geometry and mapping back are consistent."""
    cfg = _model_cfg('onestream/onestream_vit-tiny-p8_center_synthetic.py')
    cfg.test_cfg.size_lr = 1.0  # no size smoothing
    model = MODELS.build(cfg).eval()
    from mmtrack_ext.structures import box_to_crop, crop_window
    target = torch.tensor([70., 40., 110., 100.])

    def fake_predict(feats, score_window=None):
        win = crop_window(prev[0], model.search_factor)
        in_crop = box_to_crop(target, win, model.search_size)
        return dict(bboxes=(in_crop / model.search_size)[None],
                    scores=torch.ones(1))

    model.head.predict = fake_predict
    img = torch.zeros(3, 200, 300, dtype=torch.uint8)
    state = model.init(img, torch.tensor([60., 50., 100., 90.]))
    prev = [state.bbox.clone()]
    box, score = model.track(img, state)
    torch.testing.assert_close(box, target)
    assert xyxy_to_cxcywh(box)[2] == 40


def test_unclipped_state_restarts_when_it_covers_the_frame():
    """``clip_state=False`` (MAT): the state keeps the unclipped box (the
    reported box is clipped); a state whose clipped box is the whole frame
    restarts at the frame centre with the first box's size."""
    cfg = _model_cfg('mat/mat_track_vit-tiny_synthetic.py')
    model = MODELS.build(cfg).eval()
    boxes = iter([[-0.25, 0.25, 0.5, 0.5], [-3., -3., 4., 4.]])

    def fake_predict(feats, score_window=None):
        return dict(bboxes=torch.tensor([next(boxes)]),
                    scores=torch.ones(1))

    model.head.predict = fake_predict
    img = torch.zeros(3, 200, 300, dtype=torch.uint8)
    state = model.init(img, torch.tensor([20., 50., 60., 90.]))  # 40 x 40
    box, _ = model.track(img, state)
    assert box[0] == 0 and state.bbox[0] < 0  # clipped / not clipped
    # the whole search area and far beyond: clipped to the frame
    box, _ = model.track(img, state)
    assert box.tolist() == [0., 0., 300., 200.]
    torch.testing.assert_close(state.bbox,
                               torch.tensor([130., 80., 170., 120.]))


def test_size_lr_smooths_only_the_size():
    """``test_cfg.size_lr``: the size moves ``size_lr * score`` of the way to
    the prediction, the centre follows the prediction."""
    cfg = _model_cfg('onestream/onestream_vit-tiny-p8_center_synthetic.py')
    cfg.test_cfg.size_lr = 0.5
    model = MODELS.build(cfg).eval()
    from mmtrack_ext.structures import box_to_crop, crop_window
    target = torch.tensor([70., 40., 130., 120.])  # 60 x 80

    def fake_predict(feats, score_window=None):
        win = crop_window(prev[0], model.search_factor)
        in_crop = box_to_crop(target, win, model.search_size)
        return dict(bboxes=(in_crop / model.search_size)[None],
                    scores=torch.full((1, ), 0.8))

    model.head.predict = fake_predict
    img = torch.zeros(3, 200, 300, dtype=torch.uint8)
    state = model.init(img, torch.tensor([60., 50., 100., 90.]))  # 40 x 40
    prev = [state.bbox.clone()]
    box, score = model.track(img, state)
    cx, cy, w, h = xyxy_to_cxcywh(box).tolist()
    assert (cx, cy) == pytest.approx((100., 80.), abs=1e-3)
    rate = 0.5 * 0.8
    assert (w, h) == pytest.approx((40 + rate * 20, 40 + rate * 40),
                                   abs=1e-3)
    cfg.test_cfg.size_lr = 0.
    with pytest.raises(ValueError, match='size_lr'):
        MODELS.build(cfg)


def test_min_score_keeps_the_last_box():
    cfg = _model_cfg('onestream/onestream_vit-tiny-p8_center_synthetic.py')
    cfg.test_cfg.update(size_lr=1.0, min_score=0.5)
    model = MODELS.build(cfg).eval()
    scores = iter([0.9, 0.3])

    def fake_predict(feats, score_window=None):
        return dict(bboxes=torch.tensor([[0.25, 0.25, 0.5, 0.5]]),
                    scores=torch.tensor([next(scores)]))

    model.head.predict = fake_predict
    img = torch.zeros(3, 200, 300, dtype=torch.uint8)
    state = model.init(img, torch.tensor([60., 50., 100., 90.]))
    found, _ = model.track(img, state)
    assert not torch.equal(found, torch.tensor([60., 50., 100., 90.]))
    lost, score = model.track(img, state)  # score 0.3 < 0.5
    assert torch.equal(lost, found) and score == pytest.approx(0.3)
    assert state.frame_id == 2


def test_absence_score_reports_absence_per_frame():
    cfg = _model_cfg('jn/jn_vit-tiny_gfl_synthetic.py')
    cfg.test_cfg.absence_score = 1.0  # every tracked frame is below it
    model = MODELS.build(cfg)
    outs = _track_video(model, num_frames=3)
    flags = [bool(o.pred_instances.absent) for o in outs]
    assert flags == [False, True, True]  # frame 0 is the given box
    cfg.test_cfg.absence_score = None
    outs = _track_video(MODELS.build(cfg), num_frames=2)
    assert 'absent' not in outs[1].pred_instances
    cfg.test_cfg.absence_score = 1.5
    with pytest.raises(ValueError, match='absence_score'):
        MODELS.build(cfg)


@pytest.mark.parametrize('penalty', [None, 1.0])
def test_size_penalty_prefers_the_candidate_of_the_previous_size(penalty):
    """Two candidates: a stronger one three times the previous size and a
    weaker one of the previous size; the penalty picks the latter."""
    cfg = _model_cfg('onestream/onestream_vit-tiny-p8_center_synthetic.py')
    cfg.test_cfg.update(
        size_lr=1.0, window=None,
        size_penalty=None if penalty is None else dict(
            type='SizeChangePenalty', k=penalty))
    model = MODELS.build(cfg).eval()
    img = torch.zeros(3, 200, 300, dtype=torch.uint8)
    state = model.init(img, torch.tensor([130., 80., 170., 120.]))  # 40x40
    n = model.search_size // model.backbone.out_stride
    prev = 40 / model.crop(img, state.bbox, model.search_factor,
                           model.search_size)[2].side

    def fake_forward(feats):
        score = torch.full((1, 1, n, n), 0.01)
        size = torch.full((1, 2, n, n), prev)
        score[0, 0, 1, 1], size[0, :, 1, 1] = 0.6, 3 * prev
        score[0, 0, n - 2, n - 2] = 0.5
        return dict(score=score, offset=torch.full((1, 2, n, n), 0.5),
                    size=size)

    model.head.forward = fake_forward
    box, score = model.track(img, state)
    cx = xyxy_to_cxcywh(box)[0].item()
    if penalty is None:
        assert score == pytest.approx(0.6) and cx < 150
    else:
        assert score == pytest.approx(0.5) and cx > 150


def test_size_penalty_needs_a_size_map():
    cfg = _model_cfg('siamese/siamese_r18_dwcorr_corner_synthetic.py')
    cfg.test_cfg.size_penalty = dict(type='SizeChangePenalty')
    model = MODELS.build(cfg).eval()
    img = torch.zeros(3, 200, 300, dtype=torch.uint8)
    state = model.init(img, torch.tensor([130., 80., 170., 120.]))
    with pytest.raises(KeyError, match='size'):
        model.track(img, state)


def test_redetect_widens_the_search_area_after_a_low_score():
    cfg = _model_cfg('onestream/onestream_vit-tiny-p8_center_synthetic.py')
    factor, size = cfg.test_cfg.search_factor, cfg.test_cfg.search_size
    cfg.test_cfg.update(
        size_lr=1.0, window=None,
        redetect=dict(score_thr=0.5, search_factor=2 * factor,
                      search_size=2 * size))
    model = MODELS.build(cfg).eval()
    seen, scores = [], iter([0.3, 0.9, 0.9])

    def fake_predict(feats, score_window=None):
        # a target of the tracked size, centred: 1 / factor of the area
        seen.append(tuple(feats.shape[-2:]))
        half = 0.5 / factor * n / feats.shape[-1]
        return dict(bboxes=torch.tensor([[0.5 - half, 0.5 - half,
                                          0.5 + half, 0.5 + half]]),
                    scores=torch.tensor([next(scores)]))

    model.head.predict = fake_predict
    img = torch.zeros(3, 300, 400, dtype=torch.uint8)
    state = model.init(img, torch.tensor([180., 130., 220., 170.]))
    n = size // model.backbone.out_stride
    boxes = [model.track(img, state)[0] for _ in range(3)]
    # frame 1 is normal; its low score widens frame 2's area; frame 3 normal
    assert seen == [(n, n), (2 * n, 2 * n), (n, n)]
    # mapped back from either area, the box keeps its place and size
    for box in boxes:
        torch.testing.assert_close(box, torch.tensor([180., 130., 220., 170.]),
                                   atol=1.0, rtol=0)
    cfg.test_cfg.redetect = dict(score_thr=0.5, search_factor=6.0)
    with pytest.raises(KeyError, match='redetect'):
        MODELS.build(cfg)
