import pytest
import timm
import torch

from mmtrack_ext.models import OneStreamViT, convert_vit_state_dict
from mmtrack_ext.models.backbones.vit_converters import load_vit_pretrained

TINY = dict(embed_dim=192, depth=12, num_heads=3)


def _timm_source():
    torch.manual_seed(0)
    return timm.create_model('vit_tiny_patch16_224', pretrained=False,
                             num_classes=10).state_dict()


def _mae_source():
    """A randomly initialised state dict in the official MAE layout
    (encoder keys as timm, plus the decoder and mask token)."""
    state = {k: v for k, v in _timm_source().items()
             if not k.startswith('head')}
    state['mask_token'] = torch.zeros(1, 1, 128)
    state['decoder_embed.weight'] = torch.randn(128, 192)
    state['decoder_embed.bias'] = torch.randn(128)
    state['decoder_pos_embed'] = torch.zeros(1, 197, 128)
    state['decoder_blocks.0.norm1.weight'] = torch.ones(128)
    state['decoder_norm.weight'] = torch.ones(128)
    state['decoder_pred.weight'] = torch.randn(768, 128)
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
