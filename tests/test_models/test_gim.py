"""The general interaction modeler (InBN's GIM)."""
import pytest
import torch
import torch.nn.functional as F

from mmtrack_ext.models.layers import (GIM, WindowAttention, ungroup_windows,
                                       window_groups)


def test_window_groups_collect_one_offset_of_every_window():
    x = torch.arange(2 * 3 * 5 * 6, dtype=torch.float32).reshape(2, 3, 5, 6)
    groups = window_groups(x, 3)  # padded to 6 x 6: 2 x 2 windows
    assert groups.shape == (2 * 9, 4, 3)
    # sample 0, offset (1, 2): cells (1, 2), (1, 5), (4, 2), (4, 5)
    g = groups[1 * 3 + 2]
    expected = torch.stack([x[0, :, 1, 2], x[0, :, 1, 5], x[0, :, 4, 2],
                            x[0, :, 4, 5]])
    assert torch.equal(g, expected)
    assert torch.equal(ungroup_windows(groups, 3, (5, 6)), x)


def _reference_softmax(attn, x, source):
    """Plain per-offset attention by loops over the offsets."""
    win = attn.window_size
    q, k, v = attn.q(x), attn.k(source), attn.v(source)
    out = torch.zeros_like(q)
    h, w = x.shape[-2:]
    sh, sw = source.shape[-2:]
    nh = attn.num_heads
    for i in range(win):
        for j in range(win):
            qs = q[:, :, i::win, j::win]
            if qs.numel() == 0:
                continue
            ks, vs = k[:, :, i::win, j::win], v[:, :, i::win, j::win]
            b, d = qs.shape[:2]
            if ks.numel() == 0:
                continue
            qt = qs.flatten(2).transpose(1, 2).reshape(b, -1, nh, d // nh)
            kt = ks.flatten(2).transpose(1, 2).reshape(b, -1, nh, d // nh)
            vt = vs.flatten(2).transpose(1, 2).reshape(b, -1, nh, d // nh)
            a = (qt.transpose(1, 2) @ kt.permute(0, 2, 3, 1)) / (d // nh)**.5
            o = a.softmax(-1) @ vt.transpose(1, 2)  # (b, nh, Lq, dh)
            o = o.transpose(1, 2).reshape(b, -1, d).transpose(1, 2)
            out[:, :, i::win, j::win] = o.reshape(b, d, *qs.shape[-2:])
    return attn.proj(out)


@pytest.mark.parametrize('src_size', [(9, 10), (4, 4), (2, 2)])
def test_window_attention_equals_per_offset_attention(src_size):
    torch.manual_seed(0)
    attn = WindowAttention(16, num_heads=2, reduction=2, window_size=3,
                           dropout=0.).eval()
    x = torch.randn(2, 16, 7, 8)
    source = torch.randn(2, 16, *src_size)
    with torch.no_grad():
        out = attn(x, source)
        ref = _reference_softmax(attn, x, source)
    assert torch.allclose(out, ref, atol=1e-5)


def test_global_attention_without_window_process():
    torch.manual_seed(0)
    attn = WindowAttention(16, num_heads=2, reduction=2, window_size=None,
                           kernel_size=1, dropout=0.).eval()
    x, z = torch.randn(1, 16, 5, 5), torch.randn(1, 16, 3, 3)
    with torch.no_grad():
        q = attn.q(x).flatten(2).transpose(1, 2).reshape(1, 25, 2, 4)
        k = attn.k(z).flatten(2).transpose(1, 2).reshape(1, 9, 2, 4)
        v = attn.v(z).flatten(2).transpose(1, 2).reshape(1, 9, 2, 4)
        o = F.scaled_dot_product_attention(q.transpose(1, 2),
                                           k.transpose(1, 2),
                                           v.transpose(1, 2))
        o = o.transpose(1, 2).reshape(1, 25, 8).transpose(1, 2)
        ref = attn.proj(o.reshape(1, 8, 5, 5))
        assert torch.allclose(attn(x, z), ref, atol=1e-5)


def test_query_softmax_variant_is_linear_attention():
    torch.manual_seed(0)
    attn = WindowAttention(8, num_heads=1, reduction=1, window_size=None,
                           kernel_size=1, attention='query_softmax',
                           dropout=0.).eval()
    x, z = torch.randn(1, 8, 3, 3), torch.randn(1, 8, 2, 2)
    with torch.no_grad():
        q = attn.q(x).flatten(2).transpose(1, 2)
        k = attn.k(z).flatten(2).transpose(1, 2)
        v = attn.v(z).flatten(2).transpose(1, 2)
        o = (q * 8**-0.5).softmax(-1) @ (k.transpose(1, 2) @ v)
        ref = attn.proj(o.transpose(1, 2).reshape(1, 8, 3, 3))
        assert torch.allclose(attn(x, z), ref, atol=1e-5)


def test_gim_order_template_use_and_gradients():
    torch.manual_seed(0)
    x, z1, z2 = (torch.randn(2, 16, 9, 9), torch.randn(1, 16, 5, 5),
                 torch.randn(1, 16, 5, 5))
    gim = GIM(16, modules=('tca', 'csa'), num_heads=2, window_size=3)
    gim.eval()
    with torch.no_grad():
        assert not torch.allclose(gim(x, z1), gim(x, z2))
    csa_only = GIM(16, modules=('csa', ), num_heads=2, window_size=3).eval()
    assert not csa_only.uses_template
    with torch.no_grad():
        assert torch.allclose(csa_only(x, z1), csa_only(x, z2))
        assert torch.allclose(csa_only(x), csa_only(x, z1))
    gim.train()
    x.requires_grad_(True)
    gim(x, z1).sum().backward()
    assert all(p.grad is not None for p in gim.parameters())
    with pytest.raises(ValueError, match='needs the template'):
        gim(x)
    with pytest.raises(ValueError, match='distinct'):
        GIM(16, modules=('csa', 'csa'))
