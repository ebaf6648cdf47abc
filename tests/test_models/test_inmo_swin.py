"""TransInMo's backbone: a two-stream Swin (timm blocks) with TCA in the
last block of each stage, and its weight converter."""
import os.path as osp

import pytest
import timm
import torch

from mmtrack_ext.models.backbones import InMoSwin, swin_converter
from mmtrack_ext.models.utils import load_pretrained

SMALL = dict(embed_dim=16, depths=(2, 2, 2, 2), num_heads=(1, 2, 2, 4))


@pytest.fixture(scope='module')
def timm_swin_t(tmp_path_factory):
    """A randomly initialised timm Swin-T (built for 256 px), saved in
    timm's format and in the original (Microsoft) layout."""
    torch.manual_seed(0)
    net = timm.create_model('swin_tiny_patch4_window7_224', pretrained=False,
                            img_size=256).eval()
    root = tmp_path_factory.mktemp('swin')
    timm_path = osp.join(root, 'timm.pth')
    torch.save(net.state_dict(), timm_path)
    original = {}
    for key, value in net.state_dict().items():
        if key.endswith(('relative_position_index', 'attn_mask')):
            continue
        parts = key.split('.')
        if parts[0] == 'layers' and parts[2] == 'downsample':
            parts[1] = str(int(parts[1]) - 1)  # end of the previous stage
        key = '.'.join(parts).replace('head.fc.', 'head.')
        original[key] = value
    orig_path = osp.join(root, 'original.pth')
    torch.save({'model': original}, orig_path)
    return net, timm_path, orig_path


@pytest.mark.parametrize('fmt', ['timm', 'original'])
def test_every_swin_key_maps_and_stage_features_match(timm_swin_t, fmt):
    net, timm_path, orig_path = timm_swin_t
    path = timm_path if fmt == 'timm' else orig_path
    model = InMoSwin(arch='tiny', tca_stages=(), drop_path_rate=0.0).eval()
    info = load_pretrained(model, path, converter=swin_converter)
    swin_keys = [k for k in model.state_dict()
                 if k.startswith(('patch_embed.', 'layers.'))
                 and not k.endswith('relative_position_index')]
    assert set(swin_keys) <= set(info['matched'])
    assert not [k for k in info['missing']
                if k.startswith(('patch_embed.', 'layers.'))]
    # only the classifier's final norm and head are left over
    assert all(k.startswith(('norm.', 'head.')) for k in info['unexpected'])
    x = torch.randn(1, 3, 256, 256)
    with torch.no_grad():
        ours, _ = model._stages(x)
        ref = net.forward_intermediates(x, indices=4, norm=False,
                                        intermediates_only=True)
    assert len(ref) == 4
    for a, b in zip(ours, ref):  # ours NHWC, timm's NCHW
        torch.testing.assert_close(a.permute(0, 3, 1, 2), b, atol=1e-4,
                                   rtol=1e-4)


def _small(**kwargs):
    torch.manual_seed(0)
    return InMoSwin(arch=SMALL, window_size=4, fuse_channels=32,
                    drop_path_rate=0.0, template_size=64, search_size=128,
                    **kwargs).eval()


@pytest.mark.parametrize('window_process', [True, False])
def test_tca_makes_search_features_depend_on_the_template(window_process):
    model = _small(window_process=window_process)
    plain = _small(window_process=window_process, tca_stages=())
    plain.load_state_dict(model.state_dict())
    x = torch.randn(2, 3, 128, 128)
    z1, z2 = torch.randn(2, 3, 64, 64), torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        out = model(z1, x)
        assert out.search.shape == (2, 32, 16, 16)
        assert out.template.shape == (2, 1, 32, 8, 8)
        assert not torch.allclose(out.search, model(z2, x).search)
        torch.testing.assert_close(plain(z1, x).search, plain(z2, x).search)


def test_tca_window_tokens_match_a_direct_computation():
    """Stage-1 window TCA by hand: every search window (per head, its tokens'
    features as one vector) attends to the template's windows."""
    model = _small(tca_stages=(1, ))
    block = model.layers[0].blocks[-1]
    attn = block.attn
    z = torch.randn(1, 8, 8, 16)  # two 4 x 4 windows per side
    x = torch.randn(1, 8, 8, 16)
    with torch.no_grad():
        _, kv = model._window_attn(block, z, True, None)
        # the TCA term alone: run with and without it on the same input
        shift = block.shift_size
        xs = torch.roll(x, shifts=(-shift[0], -shift[1]), dims=(1, 2))
        zs = torch.roll(z, shifts=(-shift[0], -shift[1]), dims=(1, 2))

        def windows(t):
            t = t.reshape(1, 2, 4, 2, 4, 16).permute(0, 1, 3, 2, 4, 5)
            return t.reshape(4, 16, 16)  # (windows, tokens, C)

        qx = attn.qkv(windows(xs))[..., :16]
        kz, vz = attn.qkv(windows(zs))[..., 16:32], attn.qkv(
            windows(zs))[..., 32:]
        out = []
        for h in range(attn.num_heads):
            sl = slice(h * 16 // attn.num_heads, (h + 1) * 16 // attn.num_heads)
            q, k, v = (t[..., sl].reshape(4, -1) for t in (qx, kz, vz))
            w = (q @ k.T / q.shape[-1]**0.5).softmax(-1)
            out.append((w @ v).reshape(4, 16, -1))
        cross = attn.proj(torch.cat(out, dim=-1))
        expected_windows = windows(xs) + cross
        mask = block.get_attn_mask(xs)
        expected = attn(expected_windows, mask=mask)
        got, _ = model._window_attn(block, x, False, kv)
    expected = expected.reshape(1, 2, 2, 4, 4, 16).permute(0, 1, 3, 2, 4, 5)
    expected = torch.roll(expected.reshape(1, 8, 8, 16), shifts=shift,
                          dims=(1, 2))
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)


def test_templates_are_encoded_once_and_broadcast():
    model = _small()
    with torch.no_grad():
        memory = model.encode_template(torch.randn(1, 2, 3, 64, 64))
        assert memory['num_templates'] == 2
        out = model.encode_search(torch.randn(3, 3, 128, 128), memory)
    assert out.search.shape == (3, 32, 16, 16)
    assert out.template.shape == (3, 2, 32, 8, 8)


def test_tca_in_every_block_and_mimetic_init():
    """``tca_blocks='all'``: every block of the TCA stages reads its own
    template keys and values; ``attn_init='mimetic'`` makes ``q . k`` a
    token similarity (for training from scratch)."""
    last = _small(tca_stages=(1, 2))
    every = _small(tca_stages=(1, 2), tca_blocks='all',
                   attn_init='mimetic')
    z = torch.randn(1, 3, 64, 64)
    assert sorted(last.encode_template(z)['kv']) == [(0, 1), (1, 1)]
    memory = every.encode_template(z)
    depths = [len(every.layers[s].blocks) for s in (0, 1)]
    assert sorted(memory['kv']) == [(s, i) for s in (0, 1)
                                    for i in range(depths[s])]
    out = every.encode_search(torch.randn(1, 3, 128, 128), memory)
    assert out.search.shape == (1, 32, 16, 16)
    attn = every.layers[0].blocks[0].attn
    dim = attn.qkv.in_features
    hd = dim // attn.num_heads
    q, k = attn.qkv.weight[:hd], attn.qkv.weight[dim:dim + hd]
    assert torch.diagonal(q.T @ k).mean() > 0.3
    with pytest.raises(ValueError, match='tca_blocks'):
        InMoSwin(arch=SMALL, tca_blocks='first')
    with pytest.raises(ValueError, match='attn_init'):
        InMoSwin(arch=SMALL, attn_init='xavier')


def test_bad_sizes_and_stages_raise():
    with pytest.raises(ValueError, match='multiples of 32'):
        InMoSwin(arch=SMALL, template_size=100)
    with pytest.raises(ValueError, match='tca_stages'):
        InMoSwin(arch=SMALL, tca_stages=(5, ))
