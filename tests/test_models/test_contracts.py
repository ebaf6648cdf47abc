"""Contracts that every registered head and backbone keeps.

The components are found in the registry, so a new head or backbone is
covered without adding anything here: heads are built with ``in_channels``
only, backbones with their defaults shrunk where the constructor has the
usual dimension arguments (depth, width, crop sizes).
"""
import inspect

import pytest
import torch
from mmengine.structures import InstanceData

from mmtrack_ext.models.backbones import BaseSOTBackbone
from mmtrack_ext.models.heads import BaseSOTHead
from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures import SOTDataSample
from mmtrack_ext.structures.backbone_output import BackboneOutput
from mmtrack_ext.utils import register_all_modules

register_all_modules()


def _registered(base):
    found = []
    for name, cls in sorted(MODELS.module_dict.items()):
        if inspect.isclass(cls) and issubclass(cls, base) and cls is not base:
            found.append(name)
    return found


HEADS = _registered(BaseSOTHead)
BACKBONES = _registered(BaseSOTBackbone)

# the usual dimension arguments of backbone constructors, shrunk for tests
_TINY = dict(depth=2, embed_dim=32, num_heads=2, patch_size=8,
             template_size=32, search_size=64, channels=16)
_RESNET_DEPTHS = {
    'SiameseResNet': dict(depth=18, out_stage=2),
    'InMoResNet': dict(depth=50, out_stage=2,
                       gim=dict(num_heads=2, window_size=4)),
    # per-stage settings come from a named arch
    'SBT': dict(arch='light', num_heads=None),
    'InMoSwin': dict(arch=dict(embed_dim=16, depths=(2, 2, 2, 2),
                               num_heads=(1, 2, 2, 4)),
                     window_size=4, fuse_channels=16),
}


def _tiny_backbone(name):
    cls = MODELS.get(name)
    params = inspect.signature(cls.__init__).parameters
    kwargs = {k: v for k, v in _TINY.items() if k in params}
    kwargs.update(_RESNET_DEPTHS.get(name, {}))
    return MODELS.build(dict(type=name, **kwargs))


def _samples(b, size, labels):
    samples = []
    for i in range(b):
        s = SOTDataSample(metainfo=dict(search_shape=(size, size),
                                        template_shape=(size // 2,
                                                        size // 2)))
        s.gt_instances = InstanceData(
            bboxes=torch.tensor([[0.3, 0.35, 0.6, 0.7]]) * size,
            labels=torch.tensor([labels[i]]))
        s.template_instances = InstanceData(
            bboxes=torch.tensor([[0.25, 0.25, 0.75, 0.75]]) * size / 2)
        samples.append(s)
    return samples


def test_every_component_kind_is_found():
    assert {'CenterHead', 'CornerHead'} <= set(HEADS)
    assert {'OneStreamViT', 'SiameseResNet'} <= set(BACKBONES)


@pytest.mark.parametrize('name', HEADS)
@pytest.mark.parametrize('labels', [(1, 1), (0, 0), (1, 0)],
                         ids=['positive', 'all-negative', 'mixed'])
def test_head_losses_are_finite_and_reach_every_parameter(name, labels):
    torch.manual_seed(0)
    head = MODELS.build(dict(type=name, in_channels=16))
    head.init_weights()
    head.train()
    feats = torch.randn(2, 16, 16, 16, requires_grad=True)
    losses = head.loss(feats, _samples(2, 64, labels))
    assert losses and all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    assert feats.grad is not None and torch.isfinite(feats.grad).all()
    if 1 in labels:  # with a positive every parameter is trained
        missing = [n for n, p in head.named_parameters()
                   if p.requires_grad and p.grad is None]
        assert not missing, f'no gradient reaches {missing}'
    head.eval()
    with torch.no_grad():
        out = head.predict(feats)
    assert out['bboxes'].shape == (2, 4) and out['scores'].shape == (2, )
    assert ((out['scores'] >= 0) & (out['scores'] <= 1)).all()


@pytest.mark.parametrize('name', BACKBONES)
def test_backbone_forward_equals_split_encoding(name):
    torch.manual_seed(0)
    backbone = _tiny_backbone(name).eval()
    tz, sx = 32, 64
    template = torch.randn(2, 1, 3, tz, tz)
    search = torch.randn(2, 3, sx, sx)
    extras = _extras(backbone, 2, tz, sx)
    t_extras, s_extras = backbone.split_extras(extras)
    with torch.no_grad():
        joint = backbone(template, search, **extras)
        split = backbone.encode_search(
            search, backbone.encode_template(template, **t_extras),
            **s_extras)
    assert isinstance(joint, BackboneOutput)
    assert joint.search.shape == (2, backbone.out_channels,
                                  sx // backbone.out_stride,
                                  sx // backbone.out_stride)
    torch.testing.assert_close(joint.search, split.search)
    if joint.template is not None:
        assert joint.template.shape[:3] == (2, 1, backbone.out_channels)
    # an extra the backbone does not accept raises, naming it
    with pytest.raises(TypeError, match='not_an_extra'):
        backbone(template, search, not_an_extra=torch.zeros(1))


def _extras(backbone, b, tz, sx):
    extras = {}
    if 'template_boxes' in backbone.accepted_extras:
        extras['template_boxes'] = torch.tensor(
            [[[0.25, 0.25, 0.75, 0.75]]] * b)
    if 'template_padding_mask' in backbone.accepted_extras:
        mask = torch.zeros(b, 1, tz, tz, dtype=torch.bool)
        mask[:, :, :, :tz // 2] = True
        extras['template_padding_mask'] = mask
    if 'search_padding_mask' in backbone.accepted_extras:
        mask = torch.zeros(b, sx, sx, dtype=torch.bool)
        mask[:, :sx // 2] = True
        extras['search_padding_mask'] = mask
    return extras


@pytest.mark.parametrize('name', BACKBONES)
def test_extras_change_the_output_of_backbones_that_use_them(name):
    torch.manual_seed(0)
    backbone = _tiny_backbone(name)
    if not backbone.accepted_extras and 'mask_padding' in inspect.signature(
            type(backbone).__init__).parameters:
        backbone = MODELS.build(dict(
            type=name, mask_padding=True,
            **{k: v for k, v in _TINY.items()
               if k in inspect.signature(type(backbone).__init__).parameters
               }))
    if not backbone.accepted_extras:
        pytest.skip(f'{name} uses no extras')
    backbone.eval()
    template = torch.randn(1, 1, 3, 32, 32)
    search = torch.randn(1, 3, 64, 64)
    extras = _extras(backbone, 1, 32, 64)
    with torch.no_grad():
        plain = backbone(template, search).search
        for key, value in extras.items():
            out = backbone(template, search, **{key: value}).search
            assert not torch.allclose(out, plain), f'{key} is ignored'
