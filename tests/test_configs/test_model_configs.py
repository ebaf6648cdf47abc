"""Every config under configs/ builds, keeps its sizes in one place, and runs
one training iteration and one tracking step on tiny inputs (at the
config's crop sizes, or half of them for fully convolutional backbones).

Ablation configs often change only the data or the schedule: configs whose
``model`` (and training pipeline) are identical are checked once, under the
first of them, so the suite's cost grows with the number of distinct models,
not of configs."""
import functools
import glob
import json
import os.path as osp
from collections import OrderedDict

import pytest
import torch
from mmengine.config import Config
from mmengine.structures import InstanceData

from mmtrack_ext.models import BasePretextModel, BaseSOTTracker
from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures import SOTDataSample
from mmtrack_ext.utils import register_all_modules

register_all_modules()
ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
CONFIGS = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                       recursive=True) if '_base_' not in p)


@functools.lru_cache(maxsize=None)
def _load(config):
    return Config.fromfile(osp.join(ROOT, config))


def _group_by(key_fn):
    """``{representative: [configs with the same key]}``; the
    representative is the least nested config of a group (a method's main
    config rather than one of its ablations)."""
    groups = OrderedDict()
    for config in CONFIGS:
        cfg = _load(config)
        key = json.dumps(key_fn(cfg), sort_keys=True, default=str)
        groups.setdefault(key, []).append(config)
    return OrderedDict(
        (min(v, key=lambda c: (c.count('/'), c)), v)
        for v in groups.values())


#: model keys that change which weights train or where they come from,
#: not the network: configs differing only there (fine-tuning protocols,
#: checkpoint formats) share one training-and-tracking check, and each of
#: them is built (which validates the module names of its freezing)
_TRAINING_ONLY_KEYS = ('frozen_modules', 'trainable_modules',
                       # pretext models: what is masked and reconstructed
                       'mask_ratio', 'masking', 'transfer_role',
                       'norm_pix_loss')
_BACKBONE_SOURCE_KEYS = ('pretrained', 'pretrained_format',
                         'pretrained_prefix')


def _network(cfg):
    model = cfg.model.to_dict()
    for key in _TRAINING_ONLY_KEYS:
        model.pop(key, None)
    for key in _BACKBONE_SOURCE_KEYS:
        model.get('backbone', {}).pop(key, None)
    return model


def _model_key(cfg):
    return _network(cfg)


def _is_pretext(cfg):
    return issubclass(MODELS.get(cfg.model.type), BasePretextModel)


def _sizes_key(cfg):
    return [_network(cfg),
            cfg.get('train_dataloader', {}).get('dataset', {}).get(
                'pipeline', [])]


MODEL_GROUPS = _group_by(_model_key)
SIZE_GROUPS = _group_by(_sizes_key)


def _pipeline_step(cfg, kind):
    pipeline = cfg.train_dataloader.dataset.get('pipeline', [])
    return next((t for t in pipeline if t['type'] == kind), None)


def _batch(tz, sx, b=2):
    g = torch.Generator().manual_seed(0)
    samples = []
    for i in range(b):
        s = SOTDataSample(metainfo=dict(search_shape=(sx, sx),
                                        template_shape=(tz, tz)))
        s.gt_instances = InstanceData(
            bboxes=torch.tensor([[0.3, 0.35, 0.6, 0.7]]) * sx,
            labels=torch.tensor([i % 2]))
        s.template_instances = InstanceData(
            bboxes=torch.tensor([[0.25, 0.25, 0.75, 0.75]]) * tz)
        samples.append(s)
    return dict(
        inputs=dict(
            template=[torch.randint(0, 256, (1, 3, tz, tz), dtype=torch.uint8,
                                    generator=g) for _ in range(b)],
            search=[torch.randint(0, 256, (1, 3, sx, sx), dtype=torch.uint8,
                                  generator=g) for _ in range(b)],
            template_padding_mask=[torch.zeros(1, tz, tz, dtype=torch.bool)
                                   for _ in range(b)],
            search_padding_mask=[torch.zeros(1, sx, sx, dtype=torch.bool)
                                 for _ in range(b)]),
        data_samples=samples)


def test_configs_are_found():
    assert len(CONFIGS) >= 4


def test_identical_models_are_grouped():
    assert sum(map(len, MODEL_GROUPS.values())) == len(CONFIGS)
    assert sum(map(len, SIZE_GROUPS.values())) == len(CONFIGS)


VARIANTS = [c for rep, group in MODEL_GROUPS.items() for c in group
            if _load(c).model.to_dict() != _load(rep).model.to_dict()]


@pytest.mark.parametrize('config', VARIANTS)
def test_training_protocol_variants_build(config):
    """Configs that differ from their group's checked model only in what
    trains (frozen / trainable modules) or in the backbone's checkpoint
    options build, and freeze what they name."""
    cfg = Config.fromfile(osp.join(ROOT, config))
    model = MODELS.build(cfg.model)
    for name in cfg.model.get('trainable_modules', []):
        module = model.get_submodule(name)
        assert all(p.requires_grad for p in module.parameters()), name
    if 'backbone' in cfg.model.get('frozen_modules', []):
        trainable = [n for n, p in model.backbone.named_parameters()
                     if p.requires_grad]
        assert all(any(n.startswith(t[len('backbone.'):] + '.') for t in
                       cfg.model.get('trainable_modules', []))
                   for n in trainable), trainable


@pytest.mark.parametrize('config', list(SIZE_GROUPS))
def test_config_sizes_live_in_one_place(config):
    cfg = Config.fromfile(osp.join(ROOT, config))
    if _is_pretext(cfg):
        return
    model = MODELS.build(cfg.model)
    assert isinstance(model, BaseSOTTracker), config
    crop = _pipeline_step(cfg, 'SearchAreaCrop')
    assert crop is not None, f'{config}: no SearchAreaCrop in the pipeline'
    assert crop['template_size'] == model.template_size, config
    assert crop['search_size'] == model.search_size, config
    assert crop['template_factor'] == model.template_factor, config
    assert crop['search_factor'] == model.search_factor, config
    check = _pipeline_step(cfg, 'CheckPaddingValidity')
    if check is not None:
        assert check['stride'] == model.backbone.out_stride, config


@pytest.mark.parametrize('config', list(MODEL_GROUPS))
def test_config_trains_one_iteration_and_tracks(config):
    cfg = Config.fromfile(osp.join(ROOT, config))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    if isinstance(model, BasePretextModel):
        # a pre-training model: one step on one pair, no tracking
        tz, sx = (model.backbone.template_size[0],
                  model.backbone.search_size[0])
        data = model.data_preprocessor(_batch(tz, sx, b=1), True)
        data['inputs']['transfer_target'] = data['inputs']['template']
        losses = model(**data, mode='loss')
        assert all(torch.isfinite(v) for v in losses.values()), losses
        sum(losses.values()).backward()
        return
    if getattr(model.backbone, 'template_size', None) is None:
        # a fully convolutional backbone takes any crop: tiny inputs (half
        # size) keep paper-scale CNNs (ResNet-50 with GIMs) cheap
        model.template_size = model.template_size // 2 + 1
        model.search_size = model.search_size // 2 + 1
    model.train()
    data = model.data_preprocessor(
        _batch(model.template_size, model.search_size), True)
    losses = model(**data, mode='loss')
    assert all(torch.isfinite(v) for v in losses.values()), losses
    sum(v for k, v in losses.items() if 'loss' in k).backward()
    frozen = [n for n, p in model.named_parameters()
              if p.requires_grad and p.grad is None]
    assert not frozen, f'{config}: no gradient reaches {frozen[:5]}'
    model.eval()
    img = torch.randint(0, 256, (3, 160, 200), dtype=torch.uint8)
    state = model.init(img, torch.tensor([70., 50., 120., 110.]))
    box, score = model.track(img, state)
    assert box.shape == (4, ) and 0 <= score <= 1
