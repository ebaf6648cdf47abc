import pytest
import torch
from timm.models.vision_transformer import Attention

from mmtrack_ext.models import OneStreamViT
from mmtrack_ext.models.layers import mimetic_factors, mimetic_init_


def _self_match_rate(attn, tokens):
    """Per head: fraction of tokens whose largest attention logit is their
    own key."""
    n, dim = tokens.shape
    heads = attn.num_heads
    q, k, _ = attn.qkv(tokens).reshape(n, 3, heads, dim // heads).permute(
        1, 2, 0, 3)
    own = (q @ k.transpose(-1, -2)).argmax(-1) == torch.arange(n)
    return own.float().mean(-1)


def test_factors_approximate_the_target():
    g = torch.Generator().manual_seed(0)
    a, b = mimetic_factors(32, 32, 0., 0.5, generator=g)
    assert a.shape == b.shape == (32, 32)
    torch.testing.assert_close(a.T @ b, 0.5 * torch.eye(32), atol=1e-4,
                               rtol=0)
    a, b = mimetic_factors(32, 8, 0.7, 0.7, generator=g)
    assert a.shape == (8, 32)
    assert torch.linalg.matrix_rank(a.T @ b) == 8


def test_mimetic_attention_matches_identical_tokens():
    torch.manual_seed(0)
    tokens = torch.nn.functional.layer_norm(torch.randn(50, 64), (64, ))
    plain = Attention(64, num_heads=4, qkv_bias=True)
    assert _self_match_rate(plain, tokens).max() < 0.3
    attn = mimetic_init_(Attention(64, num_heads=4, qkv_bias=True))
    assert _self_match_rate(attn, tokens).min() > 0.7
    # value-output product close to -beta_2 * I
    v = attn.qkv.weight[128:]
    vo = attn.proj.weight @ v
    assert vo.diagonal().mean().item() == pytest.approx(-0.4, abs=0.05)
    assert attn.qkv.bias.abs().sum() == 0 and attn.proj.bias.abs().sum() == 0


def test_mimetic_init_rejects_other_layouts():
    attn = Attention(64, num_heads=4)
    attn.qkv = torch.nn.Linear(64, 64)
    with pytest.raises(ValueError, match='qkv of shape'):
        mimetic_init_(attn)


def test_one_stream_vit_attn_init_option():
    torch.manual_seed(0)
    vit = OneStreamViT(32, 48, 8, 64, 2, 4, attn_init='mimetic')
    tokens = torch.nn.functional.layer_norm(torch.randn(40, 64), (64, ))
    for blk in vit.blocks:
        assert _self_match_rate(blk.attn, tokens).min() > 0.7
    out = vit(torch.randn(1, 3, 32, 32), torch.randn(1, 3, 48, 48)).search
    assert out.shape == (1, 64, 6, 6)
    with pytest.raises(ValueError, match='attn_init'):
        OneStreamViT(32, 48, 8, 64, 2, 4, attn_init='xavier')
