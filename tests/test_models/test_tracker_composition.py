"""Composable trackers: score and auxiliary heads, frozen modules, parameter
groups, validated test_cfg, extras, pretext models."""
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.structures import InstanceData

from mmtrack_ext.models import BasePretextModel
from mmtrack_ext.models.trackers import TrackingConfig
from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures import SOTDataSample
from mmtrack_ext.utils import register_all_modules

register_all_modules()
ROOT = osp.join(osp.dirname(__file__), '..', '..')
TINY = osp.join(ROOT, 'configs', 'onestream',
                'onestream_vit-tiny-p8_center_synthetic.py')


def _cfg():
    return Config.fromfile(TINY).model


def _batch(cfg, labels=(1, 0)):
    tz = cfg.backbone.template_size
    sx = cfg.backbone.search_size
    samples = []
    g = torch.Generator().manual_seed(0)
    for label in labels:
        s = SOTDataSample(metainfo=dict(search_shape=(sx, sx),
                                        template_shape=(tz, tz)))
        s.gt_instances = InstanceData(
            bboxes=torch.tensor([[0.3, 0.35, 0.6, 0.7]]) * sx,
            labels=torch.tensor([label]))
        s.template_instances = InstanceData(
            bboxes=torch.tensor([[0.25, 0.3, 0.75, 0.7]]) * tz)
        samples.append(s)
    n = len(labels)
    return dict(
        inputs=dict(
            template=[torch.randint(0, 256, (1, 3, tz, tz), dtype=torch.uint8,
                                    generator=g) for _ in range(n)],
            search=[torch.randint(0, 256, (1, 3, sx, sx), dtype=torch.uint8,
                                  generator=g) for _ in range(n)]),
        data_samples=samples)


def _loss(model, cfg, labels=(1, 0)):
    data = model.data_preprocessor(_batch(cfg, labels), True)
    return model(**data, mode='loss')


def test_test_cfg_typo_raises_with_the_valid_keys():
    cfg = _cfg()
    cfg.test_cfg.windw = cfg.test_cfg.pop('window')
    with pytest.raises(KeyError, match=r"'windw' \(did you mean 'window'"):
        MODELS.build(cfg)
    with pytest.raises(KeyError, match='valid keys'):
        TrackingConfig.from_dict(dict(serch_size=3))


def test_sizes_default_to_the_backbone_and_must_fit_it():
    cfg = _cfg()
    del cfg.test_cfg['template_size'], cfg.test_cfg['search_size']
    model = MODELS.build(cfg)
    assert (model.template_size, model.search_size) == (64, 96)
    cfg.test_cfg.template_size = 80
    with pytest.raises(ValueError, match='template_size=80'):
        MODELS.build(cfg)


def test_score_head_and_aux_losses_are_prefixed_and_summed():
    cfg = _cfg()
    cfg.backbone.use_cls_token = True
    cfg.score_head = dict(type='MLPScoreHead', in_channels=192,
                          hidden_channels=32)
    model = MODELS.build(cfg)
    losses = _loss(model, cfg)
    assert 'score_head.loss_score' in losses and 'loss_heatmap' in losses
    # tracking reports the score head's confidence
    model.eval()
    img = torch.randint(0, 256, (3, 120, 160), dtype=torch.uint8)
    state = model.init(img, torch.tensor([60., 40., 100., 80.]))
    _, score = model.track(img, state)
    feats_score = None

    def spy(feats):
        nonlocal feats_score
        feats_score = model.score_head(feats).sigmoid()
        return feats_score

    model.score_head.predict = spy
    _, score = model.track(img, state)
    assert score == pytest.approx(float(feats_score[0]))


def test_two_stage_training_trains_only_the_score_head():
    cfg = _cfg()
    cfg.backbone.use_cls_token = True
    cfg.backbone.drop_path_rate = 0.1
    cfg.score_head = dict(type='MLPScoreHead', in_channels=192,
                          hidden_channels=32)
    cfg.frozen_modules = ['backbone', 'head']
    model = MODELS.build(cfg)
    model.train()
    assert not model.backbone.training and not model.head.training
    assert model.score_head.training
    assert not any(p.requires_grad for p in model.backbone.parameters())
    losses = _loss(model, cfg)
    assert set(losses) == {'score_head.loss_score'}  # frozen heads: no loss
    sum(losses.values()).backward()
    assert all(p.grad is not None for p in model.score_head.parameters())
    # drop-path is off in a frozen backbone: two passes agree
    data = model.data_preprocessor(_batch(cfg), True)
    a = model.extract_feat(data['inputs'], data['data_samples']).search
    b = model.extract_feat(data['inputs'], data['data_samples']).search
    torch.testing.assert_close(a, b)
    optim = build_optim_wrapper(model, dict(
        constructor='SOTOptimWrapperConstructor',
        optimizer=dict(type='AdamW', lr=1e-3)))
    optimised = {id(p) for g in optim.optimizer.param_groups
                 for p in g['params']}
    assert optimised == {id(p) for p in model.score_head.parameters()}


def test_last_blocks_trainable_match_block_indices_exactly():
    cfg = _cfg()
    cfg.backbone.depth = 12
    cfg.frozen_modules = ['backbone']
    cfg.trainable_modules = ['backbone.blocks.1', 'backbone.norm']
    model = MODELS.build(cfg)
    trainable = {n for n, p in model.backbone.named_parameters()
                 if p.requires_grad}
    assert trainable and all(n.startswith(('blocks.1.', 'norm.'))
                             for n in trainable)
    model.train()
    assert model.backbone.blocks[1].training
    assert not model.backbone.blocks[10].training
    optim = build_optim_wrapper(model, dict(
        constructor='SOTOptimWrapperConstructor',
        optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.1),
        paramwise_cfg=dict(custom_keys={
            'backbone.blocks.1': dict(lr_mult=0.1),
            'head': dict(decay_mult=0.)})))
    lrs = {}
    names = {id(p): n for n, p in model.named_parameters()}
    for group in optim.optimizer.param_groups:
        for p in group['params']:
            lrs[names[id(p)]] = (group['lr'], group['weight_decay'])
    assert lrs['backbone.blocks.1.attn.qkv.weight'] == (pytest.approx(1e-4),
                                                        0.1)
    assert 'backbone.blocks.10.attn.qkv.weight' not in lrs  # frozen
    assert lrs['backbone.norm.weight'] == (1e-3, 0.1)
    assert lrs['head.score_branch.0.0.0.weight'][1] == 0.


def test_frozen_and_lr_mult_mistakes_raise():
    cfg = _cfg()
    cfg.frozen_modules = ['backbone.blockz']
    with pytest.raises(KeyError, match='blockz'):
        MODELS.build(cfg)
    model = MODELS.build(_cfg())
    with pytest.raises(ValueError, match='frozen_modules'):
        build_optim_wrapper(model, dict(
            constructor='SOTOptimWrapperConstructor',
            optimizer=dict(type='AdamW', lr=1e-3),
            paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.)})))
    with pytest.raises(KeyError, match='backbone.blokcs'):
        build_optim_wrapper(model, dict(
            constructor='SOTOptimWrapperConstructor',
            optimizer=dict(type='AdamW', lr=1e-3),
            paramwise_cfg=dict(custom_keys={
                'backbone.blokcs': dict(lr_mult=0.1)})))


def test_neck_uses_every_template():
    cfg = Config.fromfile(osp.join(
        ROOT, 'configs', 'siamese',
        'siamese_r18_dwcorr_corner_synthetic.py')).model
    model = MODELS.build(cfg).eval()
    z = torch.randn(1, 2, 3, 64, 64)
    x = torch.randn(1, 3, 128, 128)
    with torch.no_grad():
        both = model.neck(model.backbone(z, x)).search
        first = model.neck(model.backbone(z[:, :1], x)).search
        second = model.neck(model.backbone(z[:, 1:], x)).search
    torch.testing.assert_close(both, (first + second) / 2, rtol=1e-4,
                               atol=1e-5)


def _project_model():
    sys.path.insert(0, osp.join(ROOT, 'projects', 'example_plugin'))
    try:
        cfg = Config.fromfile(osp.join(
            ROOT, 'projects', 'example_plugin', 'configs',
            'onestream_vit-tiny_box-prompted_synthetic.py'))
        import example_plugin  # noqa: F401  (custom_imports does this)
    finally:
        sys.path.pop(0)
    return cfg, MODELS.build(cfg.model)


def test_plugin_backbone_gets_template_boxes_in_training_and_tracking():
    cfg, model = _project_model()
    seen = []
    encode = model.backbone.encode_template

    def spy(template, template_boxes=None, **extras):
        seen.append(template_boxes)
        return encode(template, template_boxes=template_boxes, **extras)

    model.backbone.encode_template = spy
    _loss(model, cfg.model)
    torch.testing.assert_close(
        seen[-1], torch.tensor([[[0.25, 0.3, 0.75, 0.7]]] * 2))
    model.eval()
    img = torch.zeros(3, 200, 300, dtype=torch.uint8)
    # 40 x 40 box, factor 2: an 80 px window from (40, 30); 64 px crop
    model.init(img, torch.tensor([60., 50., 100., 90.]))
    torch.testing.assert_close(
        seen[-1], torch.tensor([[[0.25, 0.25, 0.75, 0.75]]]))
    # 40 x 90 box: side ceil(sqrt(3600) * 2) = 120 from (20, 0)
    model.init(img, torch.tensor([60., 15., 100., 105.]))
    torch.testing.assert_close(
        seen[-1], torch.tensor([[[40 / 120, 15 / 120, 80 / 120,
                                  105 / 120]]]))


def test_pretext_models_do_not_track():

    class Toy(BasePretextModel):

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.decoder = torch.nn.Linear(4, 4)
            self.setup_freezing()

        def loss(self, inputs, data_samples):
            return dict(loss=self.decoder(torch.ones(1, 4)).sum())

    model = Toy(backbone=_cfg().backbone, frozen_modules=['backbone'])
    assert not any(p.requires_grad for p in model.backbone.parameters())
    assert 'loss' in model(None, None, mode='loss')
    with pytest.raises(RuntimeError, match='does not track'):
        model(None, None, mode='predict')
