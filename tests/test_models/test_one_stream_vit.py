import pytest
import torch

from mmtrack_ext.models import OneStreamViT


def _tiny(**kwargs):
    return OneStreamViT(template_size=32, search_size=64, patch_size=16,
                        embed_dim=32, depth=2, num_heads=2, **kwargs)


def test_attention_implementations_agree():
    torch.manual_seed(0)
    fused = _tiny(attn_impl='fused').eval()
    math_ = _tiny(attn_impl='math').eval()
    math_.load_state_dict(fused.state_dict())
    z, x = torch.randn(2, 3, 32, 32), torch.randn(2, 3, 64, 64)
    out_f = fused.encode_search(x, fused.encode_template(z)).search
    out_m = math_.encode_search(x, math_.encode_template(z)).search
    assert out_f.shape == (2, 32, 4, 4)
    torch.testing.assert_close(out_f, out_m, rtol=1e-4, atol=1e-5)


def test_auto_attention_is_math_only_for_cpu_training():
    model = _tiny()
    z, x = torch.randn(1, 3, 32, 32), torch.randn(1, 3, 64, 64)
    model.train()
    model(z, x)
    assert not any(b.attn.fused_attn for b in model.blocks)
    model.eval()
    with torch.no_grad():
        model(z, x)
    assert all(b.attn.fused_attn for b in model.blocks)
    with pytest.raises(ValueError, match='attn_impl'):
        _tiny(attn_impl='flash')


def test_conv_stem_shapes_and_pretrained_blocks():
    from mmtrack_ext.models import convert_vit_state_dict
    model = _tiny(stem='conv')
    out = model(torch.randn(2, 3, 32, 32), torch.randn(2, 3, 64, 64)).search
    assert out.shape == (2, 32, 4, 4)
    # a ViT checkpoint fills the blocks; its patch projection is left unused
    source = _tiny().state_dict()
    source['pos_embed'] = torch.zeros(1, 16, 32)
    converted, unused = convert_vit_state_dict(source, model)
    assert 'patch_embed.proj.weight' in unused
    assert not any(k.startswith('patch_embed') for k in converted)
    assert torch.equal(converted['blocks.1.mlp.fc1.weight'],
                       source['blocks.1.mlp.fc1.weight'])
    with pytest.raises(ValueError, match='power-of-2'):
        OneStreamViT(template_size=24, search_size=48, patch_size=12,
                     embed_dim=32, depth=1, num_heads=2, stem='conv')
    with pytest.raises(ValueError, match='stem'):
        _tiny(stem='hybrid')


def test_other_search_sizes_use_a_resampled_positional_grid():
    from mmtrack_ext.models import resample_grid
    torch.manual_seed(0)
    model = _tiny().eval()
    z = model.encode_template(torch.randn(1, 3, 32, 32))
    with torch.no_grad():
        out = model.encode_search(torch.randn(1, 3, 128, 96), z).search
        assert out.shape == (1, 32, 8, 6)
        expected = resample_grid(model.pos_embed_search, (4, 4), (8, 6))
        torch.testing.assert_close(model.search_pos_embed((8, 6)), expected)
        # the cached grid follows the weights when they change
        model.pos_embed_search.add_(1.0)
        torch.testing.assert_close(
            model.search_pos_embed((8, 6)),
            resample_grid(model.pos_embed_search, (4, 4), (8, 6)))
    assert model.search_pos_embed((4, 4)) is model.pos_embed_search
    # training: gradients reach the learnt grid
    model.train()
    model.encode_search(torch.randn(1, 3, 96, 96),
                        model.encode_template(torch.randn(1, 3, 32, 32))
                        ).search.sum().backward()
    assert model.pos_embed_search.grad.abs().sum() > 0


def test_structured_output_has_template_maps_and_cls_token():
    model = _tiny(use_cls_token=True).eval()
    z, x = torch.randn(2, 2, 3, 32, 32), torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        out = model(z, x)
    assert out.search.shape == (2, 32, 4, 4)
    assert out.template.shape == (2, 2, 32, 2, 2)
    assert out.cls_token.shape == (2, 32)
    assert out.template_tokens.shape == (2, 8, 32)
    assert out.search_tokens.shape == (2, 16, 32)
    assert not hasattr(model, 'last_cls_token')


def test_padding_masks_are_extras_only_with_mask_padding():
    plain = _tiny()
    assert plain.accepted_extras == ()
    mask = torch.zeros(1, 64, 64, dtype=torch.bool)
    with pytest.raises(TypeError, match='search_padding_mask'):
        plain(torch.randn(1, 3, 32, 32), torch.randn(1, 3, 64, 64),
              search_padding_mask=mask)
    masked = _tiny(mask_padding=True).eval()
    masked.load_state_dict(plain.state_dict())
    z, x = torch.randn(1, 3, 32, 32), torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        # an all-False mask changes nothing; fused and math agree with masks
        torch.testing.assert_close(
            masked(z, x, search_padding_mask=mask).search,
            plain.eval()(z, x).search)
        mask[:, :32] = True
        fused = masked(z, x, search_padding_mask=mask).search
        masked.attn_impl = 'math'
        torch.testing.assert_close(
            masked(z, x, search_padding_mask=mask).search, fused,
            rtol=1e-4, atol=1e-5)
