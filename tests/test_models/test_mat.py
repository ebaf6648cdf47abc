"""MAT: masking, the MAE decoder, the pre-trainer, the encoder's fixed
positions and template embedding, and the pre-training -> tracker hand-off."""
import math
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmtrack_ext.models import (MAEDecoder, OneStreamViT, grid_keep,
                                mae_decoder_converter, masked_patch_mse,
                                patchify, random_keep, unpatchify,
                                vit_converter)
from mmtrack_ext.models.layers import sincos_grid_embedding
from mmtrack_ext.models.utils import load_pretrained
from mmtrack_ext.registry import MODELS
from mmtrack_ext.utils import register_all_modules
from test_vit_converters import DEC_DEPTH, DEC_DIM, DEC_HEADS, _mae_source

register_all_modules()
ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TINY_PRETRAIN = osp.join(ROOT, 'configs/mat/mat_pretrain_vit-tiny_synthetic.py')
TINY_TRACK = osp.join(ROOT, 'configs/mat/mat_track_vit-tiny_synthetic.py')


def _mae_2d_sincos(dim, h, w):
    """MAE's ``get_2d_sincos_pos_embed`` (util/pos_embed.py), re-derived
    in numpy: columns in the first half of the channels, rows in the
    second, ``dim / 4`` sines then cosines each."""
    def one_d(d, pos):
        omega = 1. / 10000**(np.arange(d // 2, dtype=np.float64) / (d / 2.))
        out = np.einsum('m,d->md', pos.reshape(-1), omega)
        return np.concatenate([np.sin(out), np.cos(out)], axis=1)

    cols, rows = np.meshgrid(np.arange(w, dtype=np.float64),
                             np.arange(h, dtype=np.float64))
    return np.concatenate([one_d(dim // 2, cols), one_d(dim // 2, rows)], 1)


def test_sincos_grid_embedding_is_maes_table():
    for h, w in ((7, 7), (14, 14), (3, 5)):
        ours = sincos_grid_embedding(h, w, 64).numpy()
        np.testing.assert_allclose(ours, _mae_2d_sincos(64, h, w), atol=1e-5)
    with pytest.raises(ValueError, match='divisible by 4'):
        sincos_grid_embedding(2, 2, 30)


def test_random_and_grid_masking():
    keep = random_keep(5, 196, 0.25)
    assert keep.shape == (5, 147)  # MAT: int(0.75 * 196)
    assert all(len(set(k.tolist())) == 147 for k in keep)
    assert (keep.diff(dim=1) > 0).all()
    assert not torch.equal(keep[0], keep[1])
    with pytest.raises(ValueError):
        random_keep(1, 10, 1.0)
    keep = grid_keep(4, (14, 14))
    assert keep.shape == (4, 49)  # one of every 2 x 2: a 75 % mask
    rows, cols = keep // 14, keep % 14
    for r, c in zip(rows, cols):  # one offset per sample
        assert len(set((r % 2).tolist())) == 1
        assert len(set((c % 2).tolist())) == 1
    # odd grids: one offset for the whole batch, the same K for all
    assert grid_keep(3, (7, 7)).shape[0] == 3


def test_patchify_order_and_masked_mse():
    imgs = torch.randn(2, 3, 32, 48)
    patches = patchify(imgs, 16)
    assert patches.shape == (2, 6, 16 * 16 * 3)
    # MAE's order: patch (row 1, col 2) = pixels [16:32, 32:48], (p, q, c)
    np.testing.assert_array_equal(
        patches[1, 5].reshape(16, 16, 3).numpy(),
        imgs[1, :, 16:32, 32:48].permute(1, 2, 0).numpy())
    assert torch.equal(unpatchify(patches, (2, 3), 16), imgs)
    target = torch.zeros(2, 6, 4)
    pred = torch.zeros(2, 6, 4)
    keep = torch.tensor([[0, 1, 2], [3, 4, 5]])
    pred[0, 0] = 100.  # a visible patch: not in the loss
    pred[0, 3] = 2.  # a masked patch: (2^2) / 6 masked patches
    assert masked_patch_mse(pred, target, keep).item() == pytest.approx(
        4. / 6)
    # nothing masked (ratio 0): every patch counts
    assert masked_patch_mse(pred, target, None).item() == pytest.approx(
        (1e4 + 4.) / 12)


def test_mae_decoder_loads_an_official_full_checkpoint(tmp_path):
    source = _mae_source()
    path = tmp_path / 'mae_pretrain_vit_tiny_full.pth'
    torch.save({'model': source}, path)
    decoder = MAEDecoder(in_channels=192, embed_dim=DEC_DIM,
                         depth=DEC_DEPTH, num_heads=DEC_HEADS,
                         pretrained=str(path))
    report = load_pretrained(
        decoder, str(path),
        converter=mae_decoder_converter)
    assert report['missing'] == []
    # MAE's fixed 14 x 14 table is not taken: the decoder makes the table
    # of each grid it decodes
    assert report['unexpected'] == ['pos_embed']
    decoder.init_weights()
    torch.testing.assert_close(decoder.blocks[1].attn.qkv.weight,
                               source['decoder_blocks.1.attn.qkv.weight'])
    torch.testing.assert_close(decoder.pred.weight,
                               source['decoder_pred.weight'])
    # the table MAE's decoder adds equals ours for its own 14 x 14 grid
    # (the checkpoint's is random here; the real one is this table)
    tokens = torch.randn(2, 1 + 30, 192)
    keep = random_keep(2, 49, 0.4)[:, :30]
    assert decoder(tokens, keep, (7, 7)).shape == (2, 49, 768)
    with pytest.raises(ValueError, match='keep'):
        decoder(tokens, None, (7, 7))


def test_mae_decoder_fills_masked_positions_with_the_mask_token():
    torch.manual_seed(0)
    decoder = MAEDecoder(in_channels=8, embed_dim=16, depth=0, num_heads=2,
                         patch_size=1, use_cls_token=False)
    decoder.pred = torch.nn.Identity()
    decoder.norm = torch.nn.Identity()
    vis = torch.randn(1, 2, 8)
    out = decoder(vis, torch.tensor([[1, 3]]), (2, 2))
    pos = sincos_grid_embedding(2, 2, 16)
    torch.testing.assert_close(out[0, 1] - pos[1],
                               decoder.embed(vis)[0, 0])
    torch.testing.assert_close(out[0, 0] - pos[0],
                               decoder.mask_token[0, 0])


def _vit(**kw):
    args = dict(template_size=32, search_size=64, patch_size=8,
                embed_dim=32, depth=2, num_heads=2, use_cls_token=True,
                pos_embed='sincos', template_patch_embed=True)
    args.update(kw)
    return OneStreamViT(**args)


def test_sincos_positions_are_fixed_and_template_embedding_own(tmp_path):
    vit = _vit()
    names = dict(vit.named_parameters())
    assert 'pos_embed_search' not in names and 'cls_token' in names
    assert 'patch_embed_template.proj.weight' in names
    assert 'pos_embed_search' in vit.state_dict()  # handed to the tracker
    torch.testing.assert_close(vit.pos_embed_search[0],
                               sincos_grid_embedding(8, 8, 32))
    # another search grid: the exact table of that grid
    torch.testing.assert_close(vit.search_pos_embed((5, 6))[0],
                               sincos_grid_embedding(5, 6, 32))
    # the template goes through its own embedding in tracking as well
    z = torch.randn(1, 3, 32, 32)
    x = torch.randn(1, 3, 64, 64)
    out = vit(z, x)
    with torch.no_grad():
        vit.patch_embed_template.proj.weight.mul_(2)
    assert not torch.allclose(vit(z, x).search, out.search)
    # an MAE checkpoint leaves the sin-cos tables alone and reports its
    # own table unused
    source = {k: v for k, v in _mae_source().items()
              if not k.startswith(('decoder', 'mask_token'))}
    path = tmp_path / 'mae.pth'
    torch.save({'model': source}, path)
    vit = _vit(template_size=112, search_size=224, patch_size=16,
               embed_dim=192, depth=12, num_heads=3)
    report = load_pretrained(vit, str(path), converter=vit_converter())
    assert report['unexpected'] == ['pos_embed']
    assert sorted(report['missing']) == [
        'patch_embed_template.proj.bias', 'patch_embed_template.proj.weight']
    torch.testing.assert_close(vit.pos_embed_search[0],
                               sincos_grid_embedding(14, 14, 192))
    torch.testing.assert_close(vit.cls_token, source['cls_token'])


def test_encode_masked_is_the_tracking_pass_without_masks():
    torch.manual_seed(0)
    vit = _vit().eval()
    z = torch.randn(2, 3, 32, 32)
    x = torch.randn(2, 3, 64, 64)
    cls, zo, xo = vit.encode_masked(z, x)
    out = vit(z, x)
    torch.testing.assert_close(xo.transpose(1, 2).reshape(2, 32, 8, 8),
                               out.search)
    torch.testing.assert_close(cls, out.cls_token)
    keep_z, keep_x = random_keep(2, 16, 0.25), random_keep(2, 64, 0.25)
    cls, zo, xo = vit.encode_masked(z, x, keep_z, keep_x)
    assert zo.shape == (2, 12, 32) and xo.shape == (2, 48, 32)


def _pretrainer(**kw):
    cfg = Config.fromfile(TINY_PRETRAIN)
    cfg.model.update(kw)
    return MODELS.build(cfg.model)


def _pair_batch(b=2, tz=48, sx=96):
    g = torch.Generator().manual_seed(0)
    return dict(inputs=dict(
        template=torch.randn(b, 1, 3, tz, tz, generator=g),
        search=torch.randn(b, 3, sx, sx, generator=g),
        transfer_target=torch.randn(b, 1, 3, tz, tz, generator=g)))


@pytest.mark.parametrize('kw', [dict(), dict(mask_ratio=0.),
                                dict(masking='grid')])
def test_pretrainer_trains_every_part(kw):
    torch.manual_seed(0)
    model = _pretrainer(**kw).train()
    losses = model.loss(**_pair_batch())
    assert set(losses) == {'loss_template', 'loss_search'}
    assert all(torch.isfinite(v) and v > 0 for v in losses.values())
    sum(losses.values()).backward()
    unused = [n for n, p in model.named_parameters()
              if p.requires_grad and p.grad is None]
    # nothing masked: no [mask] token (its config sets DDP's
    # find_unused_parameters)
    assert unused == (['decoder.mask_token'] if kw.get('mask_ratio') == 0.
                      else [])
    recon = model(**_pair_batch(), mode='tensor')
    assert recon['template'].shape == (2, 3, 48, 48)
    assert recon['search'].shape == (2, 3, 96, 96)
    with pytest.raises(RuntimeError, match='does not track'):
        model(**_pair_batch(), mode='predict')


def test_pretrainer_targets_the_transfer_target():
    """The template branch is scored against the transfer target, not the
    input template: a perfect prediction of one gives zero loss."""
    torch.manual_seed(0)
    model = _pretrainer(mask_ratio=0.5).eval()
    batch = _pair_batch()['inputs']
    out = model.reconstruct(batch)
    target = model.patch_targets(batch['transfer_target'][:, 0])
    assert masked_patch_mse(target, target, out['template_keep']) == 0
    with pytest.raises(KeyError, match='CropTargetFromSearch'):
        model.loss({k: v for k, v in batch.items()
                    if k != 'transfer_target'})
    with pytest.raises(ValueError, match='masking'):
        _pretrainer(masking='block')


def test_hand_off_loads_every_encoder_key(tmp_path):
    """A pre-training checkpoint fills every key of the tracker's encoder
    (weights, cls token, the template embedding and the fixed tables);
    another model's checkpoint raises."""
    torch.manual_seed(0)
    pretrainer = _pretrainer()
    path = tmp_path / 'epoch_1.pth'
    torch.save(dict(meta=dict(epoch=1), state_dict=pretrainer.state_dict()),
               path)
    cfg = Config.fromfile(TINY_TRACK)
    cfg.model.backbone.pretrained = str(path)
    tracker = MODELS.build(cfg.model)
    report = load_pretrained(tracker.backbone, str(path),
                             prefix='backbone.')
    own = tracker.backbone.state_dict()
    assert report['missing'] == [] and report['unexpected'] == []
    assert len(report['matched']) == len(own) == len(
        [k for k in pretrainer.state_dict() if k.startswith('backbone.')])
    tracker.init_weights()
    for key, value in pretrainer.backbone.state_dict().items():
        assert torch.equal(tracker.backbone.state_dict()[key], value), key
    # the frozen protocol: nothing of the encoder trains
    assert not any(p.requires_grad for p in tracker.backbone.parameters())
    # a checkpoint of another model has no matching encoder: it raises
    other = tmp_path / 'other.pth'
    torch.save(dict(state_dict={'backbone.layers.0.weight': torch.zeros(3),
                                'head.fc.weight': torch.zeros(2, 2)}), other)
    cfg.model.backbone.pretrained = str(other)
    with pytest.raises(ValueError):
        MODELS.build(cfg.model).init_weights()


def test_paper_scale_parameter_counts():
    """MAT Sec. 4.3: ViT-B/16 encoder (86 M), a tracker with about 2 M
    learnable parameters; the MAE decoder is 512-d x 8 blocks."""
    cfg = Config.fromfile(osp.join(
        ROOT, 'configs/mat/mat_track_vit-b16_frozen_full_lasot.py'))
    tracker = MODELS.build(cfg.model)
    trainable = sum(p.numel() for p in tracker.parameters()
                    if p.requires_grad)
    encoder = sum(p.numel() for p in tracker.backbone.parameters())
    assert 1.9e6 < trainable < 2.3e6, trainable
    assert 85.5e6 < encoder < 87.5e6, encoder
    decoder = MAEDecoder()
    n_dec = sum(p.numel() for p in decoder.parameters())
    # MAE's ViT-B decoder without its fixed position table: 26.0 M
    assert math.isclose(n_dec, 26.0e6, rel_tol=0.01), n_dec
