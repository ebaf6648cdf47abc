import pytest
import timm
import torch
import torch.nn as nn
from timm.models.vision_transformer import Block

from mmtrack_ext.models import (OneStreamViT, convert_vit_state_dict,
                                mae_decoder_state_dict, vit_converter)
from mmtrack_ext.models.backbones.vit_converters import load_vit_pretrained
from mmtrack_ext.models.utils import load_pretrained

TINY = dict(embed_dim=192, depth=12, num_heads=3)


def _timm_source():
    torch.manual_seed(0)
    return timm.create_model('vit_tiny_patch16_224', pretrained=False,
                             num_classes=10).state_dict()


# decoder of the official MAE (``models_mae.py``), scaled down: width 128,
# two timm blocks, patch 16 pixel prediction
DEC_DIM, DEC_DEPTH, DEC_HEADS = 128, 2, 4


class _MAEDecoder(nn.Module):
    """A decoder with the names :func:`mae_decoder_state_dict` returns."""

    def __init__(self, num_patches=196, embed_dim=192, patch_size=16):
        super().__init__()
        self.embed = nn.Linear(embed_dim, DEC_DIM)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, DEC_DIM))
        self.pos_embed = nn.Parameter(
            torch.zeros(1, num_patches + 1, DEC_DIM), requires_grad=False)
        self.blocks = nn.ModuleList(
            Block(DEC_DIM, DEC_HEADS, mlp_ratio=4., qkv_bias=True)
            for _ in range(DEC_DEPTH))
        self.norm = nn.LayerNorm(DEC_DIM)
        self.pred = nn.Linear(DEC_DIM, patch_size**2 * 3)


def _mae_source():
    """A randomly initialised state dict in the layout of the official
    ``mae_pretrain_vit_base_full.pth``: ``cls_token, pos_embed,
    patch_embed.proj.*, blocks.*, norm.*`` (timm encoder) then
    ``mask_token, decoder_embed.*, decoder_pos_embed, decoder_blocks.*,
    decoder_norm.*, decoder_pred.*``."""
    state = {k: v for k, v in _timm_source().items()
             if not k.startswith('head')}
    torch.manual_seed(1)
    for key, value in _MAEDecoder().state_dict().items():
        value = torch.randn_like(value)
        state[key if key == 'mask_token' else 'decoder_' + key] = value
    return state


@pytest.mark.parametrize('fmt', ['timm', 'mae'])
def test_every_key_maps(tmp_path, fmt):
    source = _timm_source() if fmt == 'timm' else _mae_source()
    path = tmp_path / f'{fmt}.pth'
    torch.save(source if fmt == 'timm' else {'model': source}, path)
    backbone = OneStreamViT(template_size=128, search_size=256, **TINY,
                            use_cls_token=True, pretrained=str(path))
    converted = load_vit_pretrained(str(path), backbone)
    own = backbone.state_dict()
    assert set(converted) == set(own), set(own) ^ set(converted)
    _, unused = convert_vit_state_dict(source, backbone, fmt)
    encoder_unused = [k for k in unused
                      if not k.startswith(('head', 'decoder', 'mask_token'))]
    assert encoder_unused == []
    backbone.init_weights()
    sd = backbone.state_dict()
    assert torch.equal(sd['blocks.3.attn.qkv.weight'],
                       source['blocks.3.attn.qkv.weight'])
    assert torch.equal(sd['cls_token'], source['cls_token'])
    assert sd['pos_embed_template'].shape == (1, 64, 192)
    assert sd['pos_embed_search'].shape == (1, 256, 192)
    # the 14x14 grid resampled to 16x16 keeps the corner values close
    grid = source['pos_embed'][0, 1:].reshape(14, 14, 192)
    assert torch.allclose(sd['pos_embed_search'][0].reshape(16, 16, 192)[
        7:9, 7:9].mean((0, 1)), grid[6:8, 6:8].mean((0, 1)), atol=0.05)


def test_shape_mismatch_is_clear(tmp_path):
    path = tmp_path / 'timm.pth'
    torch.save(_timm_source(), path)
    backbone = OneStreamViT(template_size=64, search_size=128, embed_dim=96,
                            depth=2, num_heads=3, pretrained=str(path))
    with pytest.raises(ValueError, match='embed_dim'):
        backbone.init_weights()


def test_mae_decoder_is_listed_and_loads_into_a_decoder(tmp_path):
    source = _mae_source()
    path = tmp_path / 'mae_pretrain_vit_tiny_full.pth'
    torch.save({'model': source}, path)
    decoder_keys = [k for k in source
                    if k.startswith('decoder_') or k == 'mask_token']
    assert len(decoder_keys) == 2 + 1 + 1 + 12 * DEC_DEPTH + 2 + 2
    # the encoder leaves the decoder unused and says so (not dropped)
    backbone = OneStreamViT(template_size=128, search_size=256, **TINY)
    report = load_pretrained(backbone, str(path),
                             converter=vit_converter('auto'))
    assert report['fraction'] == 1.0
    assert sorted(report['unexpected']) == sorted(decoder_keys + [
        'cls_token'])  # no cls token in this backbone
    _, unused = convert_vit_state_dict(source, backbone, 'mae')
    assert set(decoder_keys) <= set(unused)
    # ... and a decoder module gets them under its own names
    decoder_state = mae_decoder_state_dict(source)
    assert {'embed.weight', 'embed.bias', 'mask_token', 'pos_embed',
            'blocks.0.attn.qkv.weight', 'blocks.1.mlp.fc2.bias',
            'norm.weight', 'pred.weight'} <= set(decoder_state)
    assert not any(k.startswith('decoder') for k in decoder_state)
    decoder = _MAEDecoder()
    report = load_pretrained(
        decoder, str(path), strict=False,
        converter=lambda state, _: mae_decoder_state_dict(state))
    assert report['missing'] == [] and report['unexpected'] == []
    torch.testing.assert_close(decoder.blocks[1].attn.qkv.weight,
                               source['decoder_blocks.1.attn.qkv.weight'])
    torch.testing.assert_close(decoder.pos_embed,
                               source['decoder_pos_embed'])
    torch.testing.assert_close(decoder.mask_token, source['mask_token'])
    # an encoder-only MAE file has no decoder: a clear error, not {}
    with pytest.raises(KeyError, match='full'):
        mae_decoder_state_dict(
            {k: v for k, v in source.items() if k not in decoder_keys})


def test_vit_formats(tmp_path):
    path = tmp_path / 'timm.pth'
    torch.save(_timm_source(), path)
    with pytest.raises(ValueError, match="'deit'.*'mmengine'"):
        OneStreamViT(template_size=32, search_size=64, embed_dim=32,
                     depth=1, num_heads=2, pretrained=str(path),
                     pretrained_format='deit').init_weights()
    assert vit_converter('mmengine') is None
    # own-format state dicts pass 'auto' unchanged
    backbone = OneStreamViT(template_size=32, search_size=64, embed_dim=32,
                            depth=1, num_heads=2)
    own = backbone.state_dict()
    converted, unused = vit_converter('auto')(own, backbone)
    assert converted.keys() == own.keys() and unused == []
