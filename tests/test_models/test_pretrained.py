"""Weight hand-off: one loader for MMEngine, timm, MAE and torchvision
files that refuses loads that match nothing."""
import logging

import pytest
import torch
import torchvision

from mmtrack_ext.models import (OneStreamViT, SiameseResNet,
                                mae_decoder_state_dict)
from mmtrack_ext.models.utils import load_pretrained


def _vit(**kwargs):
    return OneStreamViT(template_size=32, search_size=64, patch_size=16,
                        embed_dim=32, depth=2, num_heads=2, **kwargs)


def _mmengine_checkpoint(tmp_path, backbone, prefix='backbone.'):
    state = {prefix + k: v for k, v in backbone.state_dict().items()}
    state['head.weight'] = torch.zeros(3)
    path = tmp_path / 'epoch_1.pth'
    torch.save(dict(meta=dict(epoch=1), state_dict=state), path)
    return str(path)


@pytest.mark.parametrize('prefix', ['backbone.', 'auto'])
def test_mmengine_checkpoint_of_a_tracker_loads_its_backbone(tmp_path,
                                                             prefix):
    torch.manual_seed(0)
    source = _vit()
    path = _mmengine_checkpoint(tmp_path, source)
    target = _vit(pretrained=path, pretrained_prefix=prefix)
    target.init_weights()
    for key, value in source.state_dict().items():
        torch.testing.assert_close(target.state_dict()[key], value)


def test_a_file_that_matches_nothing_raises_naming_it(tmp_path):
    path = _mmengine_checkpoint(tmp_path, _vit())
    # without the prefix no key fits: refused, not a silent random init
    with pytest.raises(ValueError, match=r'epoch_1\.pth.*0 of'):
        _vit(pretrained=path, pretrained_format='mmengine').init_weights()
    with pytest.raises(ValueError, match='no key starts with'):
        _vit(pretrained=path, pretrained_prefix='encoder.').init_weights()


def test_partial_match_below_the_fraction_raises(tmp_path):
    source = _vit().state_dict()
    partial = {k: v for i, (k, v) in enumerate(source.items()) if i < 3}
    path = tmp_path / 'partial.pth'
    torch.save(dict(state_dict=partial), path)
    with pytest.raises(ValueError, match='(?i)first unmatched'):
        load_pretrained(_vit(), str(path))
    report = load_pretrained(_vit(), str(path), min_fraction=0.05)
    assert len(report['matched']) == 3 and report['missing']


def test_shape_mismatch_names_the_key(tmp_path):
    state = _vit().state_dict()
    state['norm.weight'] = torch.ones(7)
    path = tmp_path / 'bad.pth'
    torch.save(state, path)
    with pytest.raises(ValueError, match=r'norm\.weight.*\(7,\)'):
        load_pretrained(_vit(), str(path))


def test_missing_keys_are_logged_as_warnings(tmp_path, caplog):
    from mmengine.logging import MMLogger
    state = _vit().state_dict()
    state.pop('norm.bias')
    path = tmp_path / 'most.pth'
    torch.save(state, path)
    logger = MMLogger.get_instance('test_pretrained_warn')
    records = []

    class Keep(logging.Handler):

        def emit(self, record):
            records.append(record)

    handler = Keep()
    logger.addHandler(handler)
    try:
        load_pretrained(_vit(), str(path), logger='test_pretrained_warn')
    finally:
        logger.removeHandler(handler)
    assert any(r.levelno == logging.WARNING and 'norm.bias' in r.getMessage()
               for r in records)


def test_torchvision_resnet_and_own_checkpoints(tmp_path):
    torch.manual_seed(0)
    net = torchvision.models.resnet18(weights=None)
    path = tmp_path / 'resnet18.pth'
    torch.save(net.state_dict(), path)
    backbone = SiameseResNet(depth=18, out_stage=2, pretrained=str(path))
    backbone.init_weights()
    torch.testing.assert_close(backbone.state_dict()['stages.1.0.conv1.weight'],
                               net.layer2[0].conv1.weight)
    path2 = _mmengine_checkpoint(tmp_path, backbone)
    again = SiameseResNet(depth=18, out_stage=2, pretrained=path2,
                          pretrained_prefix='backbone.')
    again.init_weights()
    torch.testing.assert_close(again.state_dict()['stem.0.weight'],
                               net.conv1.weight)


def test_mae_decoder_keys_are_kept_for_decoders():
    state = {'cls_token': torch.zeros(1, 1, 8), 'mask_token': torch.ones(1,
                                                                          1, 4),
             'blocks.0.norm1.weight': torch.ones(8),
             'decoder_embed.weight': torch.randn(4, 8),
             'decoder_blocks.0.attn.qkv.weight': torch.randn(12, 4),
             'decoder_norm.weight': torch.ones(4),
             'decoder_pred.weight': torch.randn(768, 4),
             'decoder_pos_embed': torch.zeros(1, 5, 4)}
    dec = mae_decoder_state_dict(state)
    assert set(dec) == {'mask_token', 'embed.weight',
                        'blocks.0.attn.qkv.weight', 'norm.weight',
                        'pred.weight', 'pos_embed'}
    torch.testing.assert_close(dec['pred.weight'],
                               state['decoder_pred.weight'])
    with pytest.raises(KeyError, match='full'):
        mae_decoder_state_dict({'blocks.0.norm1.weight': torch.ones(8)})
