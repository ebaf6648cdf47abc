"""SBT backbone, its PVTv2 converter and the TransT / Mix-MLP head."""
import os.path as osp
import re

import pytest
import timm
import torch
import torch.nn.functional as F

from mmtrack_ext.models.backbones import SBT, SBTClassifier, pvt_v2_converter
from mmtrack_ext.models.backbones.sbt import tokens_to_map
from mmtrack_ext.models.heads import TransTHead
from mmtrack_ext.models.necks import LayerwiseCorrelation
from mmtrack_ext.models.utils import load_pretrained
from head_samples import search_samples

# pvt_v2_b0's dimensions with fewer blocks (fast, same structure)
B0 = dict(embed_dims=(32, 64, 160, 256), num_heads=(1, 2, 5, 8),
          depths=(2, 2, 2, 2), sr_ratios=(8, 4, 2, 1),
          mlp_ratios=(8, 8, 4, 4))


@pytest.fixture(scope='module')
def timm_b0():
    torch.manual_seed(0)
    model = timm.create_model('pvt_v2_b0', pretrained=False, depths=(2, 2, 2, 2))
    return model.eval()


def _timm_stages(model, img):
    x = model.patch_embed(img)
    outs = []
    for stage in model.stages:
        x = stage(x)
        outs.append(x)
    return outs


def _to_original(key):
    """timm's PVTv2 key -> the original PVT release's key."""
    key = key.replace('mlp.dwconv.', 'mlp.dwconv.dwconv.')
    key = key.replace('patch_embed.', 'patch_embed1.', 1) if key.startswith(
        'patch_embed.') else key
    key = re.sub(r'^stages\.(\d)\.downsample\.',
                 lambda m: f'patch_embed{int(m.group(1)) + 1}.', key)
    key = re.sub(r'^stages\.(\d)\.blocks\.(\d+)\.',
                 lambda m: f'block{int(m.group(1)) + 1}.{m.group(2)}.', key)
    return re.sub(r'^stages\.(\d)\.norm\.',
                  lambda m: f'norm{int(m.group(1)) + 1}.', key)


@pytest.mark.parametrize('layout', ['timm', 'original'])
def test_converter_maps_every_key_and_matches_timm(timm_b0, tmp_path, layout):
    """A timm pvt_v2 checkpoint (timm's or the original key layout) fills
    every key of the classification form, which then computes timm's
    logits; the tracking form's stages 1-2 equal timm's exactly, and stage 3
    too when it keeps timm's stride."""
    state = timm_b0.state_dict()
    if layout == 'original':
        state = {_to_original(k): v for k, v in state.items()}
        assert 'block1.0.mlp.dwconv.dwconv.weight' in state
    path = osp.join(tmp_path, 'pvt_v2_b0.pth')
    torch.save(state, path)

    clf = SBTClassifier(arch=B0, num_classes=1000, pretrained=path)
    clf.init_weights()
    converted, unused = pvt_v2_converter(state, clf)
    assert not unused
    assert set(converted) == set(clf.state_dict())
    img = torch.randn(2, 3, 96, 96)
    with torch.no_grad():
        assert torch.allclose(clf.eval()(img), timm_b0(img), atol=1e-5)
        ref = _timm_stages(timm_b0, img)

    # the tracking form: 3 stages, stride 1 in stage 3, no CA
    sbt = SBT(arch=B0, ca_positions=(), pretrained=path).eval()
    info = load_pretrained(sbt, path, converter=pvt_v2_converter)
    assert not info['missing']
    # only stage 4 and the classifier are left over
    assert info['unexpected'] and all(
        k.startswith(('stages.3', 'patch_embed4', 'block4', 'norm4', 'head'))
        for k in info['unexpected'])
    with torch.no_grad():
        outs = sbt.forward_features(img)
    for ours, theirs in zip(outs[:2], ref[:2]):
        assert torch.allclose(ours, theirs, atol=1e-5)
    assert outs[2].shape[-1] == 2 * ref[2].shape[-1]  # stride 1, not 2
    same_stride = SBT(arch=B0, ca_positions=(), strides=(4, 2, 2),
                      pretrained=path).eval()
    same_stride.init_weights()
    with torch.no_grad():
        assert torch.allclose(same_stride.forward_features(img)[2], ref[2],
                              atol=1e-5)


def _reference_pair_forward(sbt, template, search):
    """Both images through every step from the start, jointly (no cache)."""
    z, zg, x, xg = None, None, None, None
    for kind, s, b in sbt.steps:
        if kind == 'block' and sbt.is_cross(s, b):
            z, x = sbt.stages[s][b].cross(z, zg, x, xg)
            continue
        z, zg = sbt._step((kind, s, b), z, zg, template)
        x, xg = sbt._step((kind, s, b), x, xg, search)
    return tokens_to_map(x, xg), tokens_to_map(z, zg)


def _tiny_sbt(**kwargs):
    arch = dict(embed_dims=(16, 32, 48), num_heads=(1, 2, 3),
                depths=(1, 2, 4), sr_ratios=(4, 2, 2), mlp_ratios=(2, 2, 2))
    return SBT(arch=arch, **kwargs).eval()


def test_template_prefix_is_cached_and_exact():
    torch.manual_seed(0)
    sbt = _tiny_sbt(ca_positions=[2, 4])
    # embed 1, block, norm, embed 2, 2 blocks, norm, embed 3, block 1
    assert sbt.num_prefix_steps == 9
    template, search = torch.randn(2, 3, 32, 32), torch.randn(2, 3, 64, 64)
    calls = []
    sbt.patch_embeds[0].register_forward_hook(
        lambda m, i, o: calls.append(i[0].shape[-1]))
    with torch.no_grad():
        memory = sbt.encode_template(template)
        assert calls == [32]
        out = sbt.encode_search(search, memory)
        assert calls == [32, 64]  # the template is not embedded again
        ref_x, ref_z = _reference_pair_forward(sbt, template, search)
    assert out.search.shape == (2, 48, 8, 8)
    assert out.template.shape == (2, 1, 48, 4, 4)
    assert torch.allclose(out.search, ref_x, atol=1e-5)
    assert torch.allclose(out.template[:, 0], ref_z, atol=1e-5)


def test_cross_attention_couples_the_images_and_siamese_does_not():
    torch.manual_seed(0)
    search = torch.randn(1, 3, 64, 64)
    t1, t2 = torch.randn(1, 3, 32, 32), torch.randn(1, 3, 32, 32)
    for ca, coupled in (([2, 4], True), ((), False)):
        sbt = _tiny_sbt(ca_positions=ca)
        with torch.no_grad():
            a = sbt(t1, search).search
            b = sbt(t2, search).search
        assert (not torch.allclose(a, b)) == coupled


def test_eoc_ca_is_symmetric_with_shared_weights():
    """EoC-CA: the search attends to the template's (reduced) keys and the
    template to the search's, through one set of weights."""
    torch.manual_seed(0)
    blk = _tiny_sbt().stages[2][0]
    z, x = torch.randn(1, 16, 48), torch.randn(1, 64, 48)
    with torch.no_grad():
        z2, x2 = blk.cross(z, (4, 4), x, (8, 8))
        attn = blk.attn
        nz, nx = blk.norm1(z), blk.norm1(x)
        x_ref = x + attn.attend(nx, attn.reduce(nz, (4, 4)))
        x_ref = x_ref + blk.mlp(blk.norm2(x_ref), (8, 8))
        z_ref = z + attn.attend(nz, attn.reduce(nx, (8, 8)))
        z_ref = z_ref + blk.mlp(blk.norm2(z_ref), (4, 4))
    assert torch.allclose(x2, x_ref, atol=1e-6)
    assert torch.allclose(z2, z_ref, atol=1e-6)


def test_spatial_reduction_attention_by_hand():
    torch.manual_seed(0)
    attn = _tiny_sbt().stages[2][0].attn  # 3 heads, sr 2
    x = torch.randn(1, 16, 48)
    with torch.no_grad():
        kv_src = attn.norm(attn.sr(x.transpose(1, 2).reshape(1, 48, 4, 4))
                           .flatten(2).transpose(1, 2))
        q = attn.q(x).reshape(1, 16, 3, 16).transpose(1, 2)
        k, v = attn.kv(kv_src).reshape(1, 4, 2, 3, 16).permute(
            2, 0, 3, 1, 4)
        w = (q @ k.transpose(-1, -2) / 4.).softmax(-1)
        ref = attn.proj((w @ v).transpose(1, 2).reshape(1, 16, 48))
        for fused in (True, False):
            attn.fused = fused
            out = attn.attend(x, attn.reduce(x, (4, 4)))
            assert torch.allclose(out, ref, atol=1e-5)


def test_several_templates_and_a_cached_batch_of_one():
    torch.manual_seed(0)
    sbt = _tiny_sbt(ca_positions=[2, 4])
    with torch.no_grad():
        memory = sbt.encode_template(torch.randn(1, 2, 3, 32, 32))
        out = sbt.encode_search(torch.randn(3, 3, 64, 64), memory)
    assert out.search.shape == (3, 48, 8, 8)
    assert out.template.shape == (3, 2, 48, 4, 4)


def test_out_blocks_feed_a_layerwise_correlation():
    torch.manual_seed(0)
    for ca in ((), [2, 4]):
        sbt = _tiny_sbt(ca_positions=ca, out_blocks=[2, 3, 4])
        neck = LayerwiseCorrelation(sbt.level_channels, channels=24)
        with torch.no_grad():
            feats = sbt(torch.randn(2, 3, 32, 32), torch.randn(2, 3, 64, 64))
            out = neck(feats)
        assert len(feats.search_levels) == 3
        assert feats.template_levels[0].shape == (2, 1, 48, 4, 4)
        assert out.search.shape == (2, 24, 8, 8)


def test_bad_settings_raise():
    with pytest.raises(KeyError, match='unknown SBT arch'):
        SBT('huge')
    with pytest.raises(ValueError, match='block 7 of stage 3'):
        _tiny_sbt(ca_positions=[7])
    sbt = _tiny_sbt()
    with pytest.raises(ValueError, match='smaller than the spatial'):
        sbt.encode_template(torch.randn(1, 3, 8, 8))


@pytest.mark.parametrize('arch,expected', [('light', 3.03), ('small', 13.80),
                                           ('base', 21.27),
                                           ('large', 35.20)])
def test_table2_backbones(arch, expected):
    """Backbone alone: light matches the paper's total (its count leaves
    out the head); small/base/large are within 15 % below it (the heads add
    the rest, see tools/analysis_tools/get_flops.py)."""
    n = sum(p.numel() for p in SBT(arch).parameters()) / 1e6
    if arch == 'light':
        assert abs(n - expected) / expected < 0.01
    else:
        assert 0.85 * expected < n < expected


# ---------------------------------------------------------------- head
def _head(**kwargs):
    kwargs.setdefault('branch', 'mlp')
    return TransTHead(in_channels=8, feat_channels=8, **kwargs)


def test_transt_assignment_and_losses_by_hand():
    head = _head(num_layers=2)
    h = w = 4
    box = [0.3, 0.3, 0.8, 0.55]  # cells 2..3 in x, 2 in y (corner rule)
    samples = search_samples([box, box], [1, 0])
    logits = torch.randn(2, 2, h, w)
    boxes = torch.rand(2, 4, h, w) * 0.5 + 0.25
    losses = head.loss_by_feat(dict(logits=logits, boxes=boxes), samples)

    pos = torch.zeros(2, h, w, dtype=torch.bool)
    pos[0, 2, 2:4] = True  # x: ceil(1.2)=2 .. 3.2 -> 2, 3; y: 2 .. 2.2
    target = (~pos).long()
    ce = F.cross_entropy(logits, target, reduction='none')
    cw = torch.where(pos, 1.0, 0.0625)
    assert torch.allclose(losses['loss_cls'],
                          8.334 * (ce * cw).sum() / cw.sum(), atol=1e-5)
    pred = boxes[0].flatten(1).t()[pos[0].flatten()]  # (2, 4) cxcywh
    gt = torch.tensor([0.55, 0.425, 0.5, 0.25])
    l1 = (pred - gt).abs().sum(-1).mean()
    assert torch.allclose(losses['loss_bbox'], 5 * l1, atol=1e-5)
    assert losses['loss_iou'] > 0


def test_negative_pairs_train_background_only():
    head = _head()
    samples = search_samples([[0.2, 0.2, 0.6, 0.6]] * 2, [0, 0])
    feats = torch.randn(2, 8, 4, 4, requires_grad=True)
    losses = head.loss(feats, samples)
    assert all(torch.isfinite(v) for v in losses.values())
    assert losses['loss_bbox'] == 0 and losses['loss_iou'] == 0
    assert losses['loss_cls'] > 0
    sum(losses.values()).backward()
    assert head.reg_branch[0].weight.grad.abs().sum() == 0


def test_cell_offset_boxes_start_from_the_cell_centres():
    head = _head(box_param='cell_offset')
    last = head.reg_branch[-1]
    torch.nn.init.zeros_(last.weight)
    torch.nn.init.zeros_(last.bias)
    boxes = head(torch.randn(1, 8, 2, 4))['boxes']
    # zero outputs: centre of cell (i, j) at ((j + 0.5) / 4, (i + 0.5) / 2),
    # size sigmoid(0) = 0.5
    assert torch.allclose(boxes[0, 0, 1], torch.tensor([.125, .375, .625,
                                                        .875]))
    assert torch.allclose(boxes[0, 1, :, 0], torch.tensor([.25, .75]))
    assert torch.allclose(boxes[0, 2:], torch.full((2, 2, 4), 0.5))
    with pytest.raises(ValueError, match='box_param'):
        _head(box_param='corners')


def test_mix_mlp_branch_and_fixed_map_size():
    head = _head(branch='mix_mlp', feat_size=4, hidden_tokens=6)
    outs = head(torch.randn(2, 8, 4, 4))
    assert outs['logits'].shape == (2, 2, 4, 4)
    assert outs['boxes'].shape == (2, 4, 4, 4)
    token_mix = head.cls_branch.layers[0].token_mix
    assert (token_mix.in_features, token_mix.out_features) == (16, 6)
    with pytest.raises(ValueError, match='built for 16 cells'):
        head(torch.randn(1, 8, 5, 5))
    with pytest.raises(ValueError, match='feat_size'):
        head.check_feat_size((5, 5))
    with pytest.raises(ValueError, match='needs feat_size'):
        _head(branch='mix_mlp')


def test_predict_takes_the_windowed_peak_and_reports_its_raw_score():
    head = _head()
    logits = torch.zeros(1, 2, 3, 3)
    logits[0, 0, 0, 0] = 3.0  # strongest, but in the corner
    logits[0, 0, 1, 1] = 2.0
    boxes = torch.rand(1, 4, 3, 3) * 0.2 + 0.4
    from mmtrack_ext.models.task_modules import HanningWindow
    window = HanningWindow(mode='blend', influence=0.49, form='numpy')
    out = head.predict_by_feat(dict(logits=logits, boxes=boxes), window)
    cx, cy, bw, bh = boxes[0, :, 1, 1]
    assert torch.allclose(out['bboxes'][0], torch.stack(
        [cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2]))
    assert torch.allclose(out['scores'][0], logits[0, :, 1, 1].softmax(0)[0])
    plain = head.predict_by_feat(dict(logits=logits, boxes=boxes))
    assert torch.allclose(plain['scores'][0],
                          logits[0, :, 0, 0].softmax(0)[0])


def test_mimetic_init_starts_keys_as_token_averages():
    torch.manual_seed(0)
    sbt = _tiny_sbt(attn_init='mimetic')
    attn = sbt.stages[2][0].attn
    qk = attn.q.weight[:16].t() @ attn.kv.weight[:16]  # head 0: W_q^T W_k
    assert torch.diagonal(qk).mean() > 3 * qk.abs().mean()
    x = torch.randn(1, 16, 48)
    pooled = F.avg_pool2d(x.transpose(1, 2).reshape(1, 48, 4, 4), 2)
    with torch.no_grad():
        assert torch.allclose(attn.sr(x.transpose(1, 2).reshape(1, 48, 4, 4)),
                              pooled, atol=1e-6)


def test_identity_token_init_starts_as_a_per_cell_mlp():
    head = _head(branch='mix_mlp', feat_size=4, hidden_tokens=20,
                 token_init='identity')
    feats = torch.randn(1, 8, 4, 4)
    moved = feats.clone()
    moved[:, :, 0, 0] += 1.0
    with torch.no_grad():
        a, b = head(feats)['logits'], head(moved)['logits']
    changed = (a - b).abs().sum(1)[0] > 0
    assert changed[0, 0] and changed.sum() == 1
    with pytest.raises(ValueError, match='hidden_tokens >= num_tokens'):
        _head(branch='mix_mlp', feat_size=4, hidden_tokens=8,
              token_init='identity')


def test_tracker_refuses_a_search_size_the_head_was_not_built_for():
    from mmengine.config import Config

    from mmtrack_ext.registry import MODELS
    from mmtrack_ext.utils import register_all_modules
    register_all_modules()
    root = osp.join(osp.dirname(__file__), '..', '..')
    cfg = Config.fromfile(
        osp.join(root, 'configs', 'sbt', 'sbt_tiny_synthetic.py'))
    cfg.model.head.branch = 'mix_mlp'
    cfg.model.test_cfg.search_size = 128  # 16 x 16 cells, head built for 12
    with pytest.raises(ValueError, match='12x12 search map'):
        MODELS.build(cfg.model)
    cfg.model.test_cfg.search_size = 96
    cfg.model.test_cfg.redetect = dict(score_thr=0.2, search_factor=4.5,
                                       search_size=144)
    with pytest.raises(ValueError, match='gets 18x18'):
        MODELS.build(cfg.model)
