"""Weight hand-off: one loader for MMEngine, timm, MAE and torchvision
files that refuses loads that match (almost) nothing."""
import logging
import pickle
import uuid

import numpy as np
import pytest
import torch
import torchvision
from mmengine.logging import MessageHub, MMLogger

from mmtrack_ext.models import OneStreamViT, SiameseResNet, vit_converter
from mmtrack_ext.models.utils import load_pretrained, unwrap_checkpoint


def _vit(**kwargs):
    return OneStreamViT(template_size=32, search_size=64, patch_size=16,
                        embed_dim=32, depth=2, num_heads=2, **kwargs)


class _Records(logging.Handler):
    """Keeps the records an MMLogger emits."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def at(self, level):
        return [r.getMessage() for r in self.records if r.levelno == level]


@pytest.fixture
def log():
    """A fresh MMLogger, the current instance (``logger='current'``)."""
    name = f'test_pretrained_{uuid.uuid4().hex}'
    logger = MMLogger.get_instance(name, log_level='INFO')
    handler = _Records()
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def _runner_meta_and_hub():
    """``meta`` and ``message_hub`` as an MMEngine Runner saves them: numpy
    scalars and log buffers, which plain ``weights_only`` refuses."""
    hub = MessageHub.get_instance(f'hub_{uuid.uuid4().hex}')
    hub.update_scalar('train/loss', 0.5)
    meta = dict(epoch=1, iter=10, seed=np.int64(0),
                best_score=np.float64(0.6), mmengine_version='0.10.7')
    return meta, hub.state_dict()


def _mmengine_checkpoint(tmp_path, backbone, prefix='backbone.',
                         name='epoch_1.pth'):
    """A tracker checkpoint: ``backbone.*`` and ``head.*`` keys."""
    state = {prefix + k: v for k, v in backbone.state_dict().items()}
    state['head.cls.weight'] = torch.zeros(3)
    meta, hub = _runner_meta_and_hub()
    path = tmp_path / name
    torch.save(dict(meta=meta, state_dict=state, message_hub=hub), path)
    return str(path)


@pytest.mark.parametrize('prefix', ['backbone.', 'backbone', 'auto'])
def test_mmengine_checkpoint_of_a_tracker_loads_its_backbone(
        tmp_path, prefix, log):
    torch.manual_seed(0)
    source = _vit()
    path = _mmengine_checkpoint(tmp_path, source)
    # a Runner checkpoint: read by the safe loader, not a full unpickling
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
    target = _vit(pretrained=path, pretrained_prefix=prefix)
    target.init_weights()
    for key, value in source.state_dict().items():
        torch.testing.assert_close(target.state_dict()[key], value)
    info = log.at(logging.INFO)
    assert any('Loaded 30/30 keys of OneStreamViT' in m and
               "'backbone.'" in m for m in info), info
    if prefix == 'auto':
        assert any("prefix 'backbone.'" in m and 'auto' in m for m in info)
    assert not log.at(logging.WARNING)
    # the same file through the loader: the report names the prefix used
    report = load_pretrained(_vit(), path, prefix=prefix,
                             converter=vit_converter('mmengine'))
    assert report['prefix'] == 'backbone.'
    assert report['fraction'] == 1.0 and not report['missing']
    assert report['unexpected'] == []


def test_a_file_that_matches_nothing_raises_naming_it(tmp_path):
    path = _mmengine_checkpoint(tmp_path, _vit())
    # without the prefix no key fits: refused, not a silent random init
    for fmt in ('mmengine', 'auto'):
        with pytest.raises(ValueError, match=r'epoch_1\.pth.*fills 0 of the'
                           r' 30 keys.*0\.0%') as err:
            _vit(pretrained=path, pretrained_format=fmt).init_weights()
        msg = str(err.value)
        assert 'patch_embed.proj.weight' in msg  # unmatched module key
        assert 'backbone.patch_embed.proj.weight' in msg  # unused file key
        assert "prefix='backbone.'" in msg  # the fix, spelled out
    with pytest.raises(ValueError, match=r"epoch_1\.pth.*'encoder\.'"):
        _vit(pretrained=path, pretrained_prefix='encoder.').init_weights()
    # a file of another model altogether
    other = tmp_path / 'resnet18.pth'
    torch.save(torchvision.models.resnet18(weights=None).state_dict(), other)
    with pytest.raises(ValueError, match=r'resnet18\.pth.*fills 0 of'):
        _vit(pretrained=str(other), pretrained_prefix='auto').init_weights()


def test_partial_match_below_the_fraction_raises(tmp_path):
    source = _vit().state_dict()
    partial = {k: v for i, (k, v) in enumerate(source.items()) if i < 3}
    path = tmp_path / 'partial.pth'
    torch.save(dict(state_dict=partial), path)
    with pytest.raises(ValueError, match=r'partial\.pth.*3 of the 30 keys '
                       r'.*10\.0%.*min_fraction=50%.*First unmatched'):
        load_pretrained(_vit(), str(path))
    report = load_pretrained(_vit(), str(path), min_fraction=0.1)
    assert len(report['matched']) == 3 and len(report['missing']) == 27
    assert report['fraction'] == pytest.approx(3 / 30)
    with pytest.raises(ValueError, match='min_fraction'):
        load_pretrained(_vit(), str(path), min_fraction=1.5)


def test_shape_mismatch_names_the_key(tmp_path):
    state = _vit().state_dict()
    state['norm.weight'] = torch.ones(7)
    path = tmp_path / 'bad.pth'
    torch.save(state, path)
    with pytest.raises(ValueError, match=r"bad\.pth.*'norm\.weight' has "
                       r'shape \(7,\).*\(32,\)'):
        load_pretrained(_vit(), str(path))


def test_missing_and_unexpected_keys_are_warnings(tmp_path, log):
    state = _vit().state_dict()
    state.pop('norm.bias')
    state['extra.weight'] = torch.zeros(2)
    path = tmp_path / 'most.pth'
    torch.save(state, path)
    target = _vit()
    report = load_pretrained(target, str(path))  # logger='current'
    assert report['missing'] == ['norm.bias']
    assert report['unexpected'] == ['extra.weight']
    warnings = log.at(logging.WARNING)
    assert len(warnings) == 1
    assert 'norm.bias' in warnings[0] and 'extra.weight' in warnings[0]
    assert 'most.pth' in warnings[0] and '29/30' in warnings[0]
    torch.testing.assert_close(target.norm.weight, state['norm.weight'])
    with pytest.raises(ValueError, match=r'strict.*norm\.bias'):
        load_pretrained(_vit(), str(path), strict=True)


def test_containers_and_ddp_prefix(tmp_path):
    torch.manual_seed(0)
    source = _vit()
    state = source.state_dict()
    for name, checkpoint in (
            ('plain', state),
            ('mae_style', dict(model=state, epoch=3)),
            ('ddp', dict(state_dict={'module.' + k: v
                                     for k, v in state.items()}))):
        path = tmp_path / f'{name}.pth'
        torch.save(checkpoint, path)
        target = _vit()
        report = load_pretrained(target, str(path))
        assert report['fraction'] == 1.0, name
        torch.testing.assert_close(target.blocks[1].mlp.fc2.weight,
                                   source.blocks[1].mlp.fc2.weight)
    with pytest.raises(ValueError, match=r'nothing\.pth holds no tensors'):
        torch.save(dict(meta=dict(epoch=1)), tmp_path / 'nothing.pth')
        load_pretrained(_vit(), str(tmp_path / 'nothing.pth'))
    with pytest.raises(TypeError, match='checkpoint dict'):
        unwrap_checkpoint([1, 2], 'list.pth')


def test_auto_prefix_that_is_ambiguous_raises(tmp_path):
    state = {f'{p}.{k}': v for p in ('teacher', 'student')
             for k, v in _vit().state_dict().items()}
    path = tmp_path / 'distill.pth'
    torch.save(dict(state_dict=state), path)
    with pytest.raises(ValueError, match=r"ambiguous.*'student\.'.*"
                       r"'teacher\.'"):
        load_pretrained(_vit(), str(path), prefix='auto')
    report = load_pretrained(_vit(), str(path), prefix='student.')
    assert report['prefix'] == 'student.' and report['fraction'] == 1.0


def test_timm_file_of_a_pretext_model_backbone(tmp_path):
    """A pretext model's ``encoder.*`` in timm layout: the auto prefix is
    judged after conversion."""
    import timm
    torch.manual_seed(0)
    vit = timm.create_model('vit_tiny_patch16_224', pretrained=False,
                            num_classes=0, depth=2)
    state = {'encoder.' + k: v for k, v in vit.state_dict().items()}
    state['decoder.pred.weight'] = torch.zeros(4, 4)
    path = tmp_path / 'pretext.pth'
    torch.save(dict(state_dict=state), path)
    target = OneStreamViT(template_size=32, search_size=64, embed_dim=192,
                          depth=2, num_heads=3, pretrained=str(path),
                          pretrained_prefix='auto')
    target.init_weights()
    torch.testing.assert_close(target.blocks[0].attn.qkv.weight,
                               vit.blocks[0].attn.qkv.weight)


def test_torchvision_resnet_and_own_checkpoints(tmp_path, log):
    torch.manual_seed(0)
    net = torchvision.models.resnet18(weights=None)
    path = tmp_path / 'resnet18.pth'
    torch.save(net.state_dict(), path)
    backbone = SiameseResNet(depth=18, out_stage=2, pretrained=str(path))
    backbone.init_weights()
    torch.testing.assert_close(
        backbone.state_dict()['stages.1.0.conv1.weight'],
        net.layer2[0].conv1.weight)
    # the stages past out_stage and the classifier are reported, not hidden
    warning, = log.at(logging.WARNING)
    assert 'missing keys (0)' in warning
    # long lists are summarised per module in the log (full in the report)
    assert 'layer3.* (30), layer4.* (30), fc.* (2)' in warning, warning
    path2 = _mmengine_checkpoint(tmp_path, backbone)
    for prefix in ('backbone.', 'auto'):
        again = SiameseResNet(depth=18, out_stage=2, pretrained=path2,
                              pretrained_prefix=prefix)
        again.init_weights()
        torch.testing.assert_close(again.state_dict()['stem.0.weight'],
                                   net.conv1.weight)
    with pytest.raises(ValueError, match=r"epoch_1\.pth.*fills 0 of"):
        SiameseResNet(depth=18, out_stage=2, pretrained=path2).init_weights()
