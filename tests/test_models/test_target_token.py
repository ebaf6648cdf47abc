"""JN's target-indicating token in OneStreamViT: every inception of JN
Fig. 4 / Table 5, in training and in tracking."""
import pytest
import torch

from mmtrack_ext.models.backbones import OneStreamViT
from mmtrack_ext.models.layers import (TargetIndicatingToken,
                                       sincos_box_embedding)
from mmtrack_ext.registry import MODELS
from mmtrack_ext.utils import register_all_modules

register_all_modules()

TINY = dict(template_size=32, search_size=64, patch_size=8, embed_dim=32,
            depth=2, num_heads=2)
BOXES = torch.tensor([[[0.25, 0.25, 0.75, 0.75]], [[0.1, 0.3, 0.5, 0.9]]])
CASES = [dict(mode='token', box_format='cxcywh'),
         dict(mode='token', box_format='xyxy', hidden_dim=4),
         dict(mode='token', box_format='wh'),
         dict(mode='tokens', box_format='cxcywh'),
         dict(mode='token', encoding='sincos'),
         dict(mode='mask')]


@pytest.mark.parametrize('cfg', CASES, ids=lambda c: '-'.join(
    str(v) for v in c.values()))
def test_target_token_changes_the_output_and_keeps_the_split_contract(cfg):
    torch.manual_seed(0)
    net = OneStreamViT(**TINY, target_token=cfg).eval()
    assert 'template_boxes' in net.accepted_extras
    z, x = torch.randn(2, 1, 3, 32, 32), torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        out = net(z, x, template_boxes=BOXES)
        split = net.encode_search(
            x, net.encode_template(z, template_boxes=BOXES))
        other = net(z, x, template_boxes=BOXES.flip(-1).clamp(0, 1))
    torch.testing.assert_close(out.search, split.search)
    # the extra tokens are dropped: the template keeps its grid
    assert out.template.shape == (2, 1, 32, 4, 4)
    assert out.search.shape == (2, 32, 8, 8)
    assert not torch.allclose(out.search, other.search)


def test_token_has_no_positional_embedding_and_follows_the_cls_token():
    torch.manual_seed(0)
    net = OneStreamViT(**TINY, use_cls_token=True,
                       target_token=dict(mode='tokens')).eval()
    memory = net.encode_template(torch.randn(2, 1, 3, 32, 32),
                                 template_boxes=BOXES)
    expected = net.target_token.tokens(BOXES)
    torch.testing.assert_close(memory['prefix'], expected)
    assert memory['prefix'].shape == (2, 4, 32)
    with torch.no_grad():
        out = net.encode_search(torch.randn(2, 3, 64, 64), memory)
    assert out.cls_token.shape == (2, 32)


def test_box_formats():
    tit = TargetIndicatingToken(8, box_format='cxcywh')
    torch.testing.assert_close(tit.box_features(BOXES[:1]),
                               torch.tensor([[[0.5, 0.5, 0.5, 0.5]]]))
    tit = TargetIndicatingToken(8, box_format='wh')
    torch.testing.assert_close(tit.box_features(BOXES[1:]),
                               torch.tensor([[[0.4, 0.6]]]))
    with pytest.raises(ValueError, match='box_format'):
        TargetIndicatingToken(8, box_format='xywh')
    with pytest.raises(ValueError, match='mode'):
        TargetIndicatingToken(8, mode='add')


def test_sincos_encoding_by_hand():
    emb = sincos_box_embedding(torch.tensor([[0.25, 0.5]]), 8)
    # two numbers, 4 channels each: sin, sin, cos, cos of 2 pi v / 1e4^(i/2)
    v = torch.tensor([0.25, 0.5])[:, None] * 2 * torch.pi * torch.tensor(
        [1.0, 0.01])
    expected = torch.cat([v.sin(), v.cos()], dim=-1).flatten()
    torch.testing.assert_close(emb[0], expected)
    tit = TargetIndicatingToken(8, encoding='sincos')
    assert not list(tit.parameters())  # fixed, nothing learnt
    with pytest.raises(ValueError, match='divisible'):
        TargetIndicatingToken(6, encoding='sincos')
    with pytest.raises(ValueError, match="mode='token'"):
        TargetIndicatingToken(8, mode='tokens', encoding='sincos')


def test_missing_or_unaccepted_boxes_raise():
    net = OneStreamViT(**TINY, target_token=dict())
    with pytest.raises(ValueError, match='template_boxes'):
        net.encode_template(torch.randn(1, 1, 3, 32, 32))
    plain = OneStreamViT(**TINY)
    with pytest.raises(TypeError, match='template_boxes'):
        plain.encode_template(torch.randn(1, 1, 3, 32, 32),
                              template_boxes=BOXES[:1])


def test_tracker_passes_the_crop_box_in_training_and_tracking():
    """The tracker computes the template box from the data samples in
    training and from the init box and the crop window in tracking; with a
    template factor of 2 the box fills the middle half of the crop."""
    import os.path as osp

    from mmengine.config import Config
    from mmengine.structures import InstanceData

    from mmtrack_ext.structures import SOTDataSample
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    cfg = Config.fromfile(osp.join(
        root, 'configs/onestream/onestream_vit-tiny-p8_center_synthetic.py'
    )).model
    cfg.backbone.update(depth=1, target_token=dict())
    model = MODELS.build(cfg).eval()
    seen = []
    tokens = model.backbone.target_token.tokens

    def spy(boxes):
        seen.append(boxes.clone())
        return tokens(boxes)

    model.backbone.target_token.tokens = spy
    # training: from the packed template boxes (template crop px)
    sample = SOTDataSample(metainfo=dict(search_shape=(96, 96),
                                         template_shape=(64, 64)))
    sample.gt_instances = InstanceData(
        bboxes=torch.tensor([[30., 30., 60., 70.]]), labels=torch.tensor([1]))
    sample.template_instances = InstanceData(
        bboxes=torch.tensor([[16., 8., 48., 40.]]))
    model.train()
    model.loss(dict(template=torch.randn(1, 1, 3, 64, 64),
                    search=torch.randn(1, 3, 96, 96)), [sample])
    torch.testing.assert_close(seen[-1],
                               torch.tensor([[[0.25, 0.125, 0.75, 0.625]]]))
    model.eval()
    img = torch.randint(0, 255, (3, 240, 320), dtype=torch.uint8)
    state = model.init(img, torch.tensor([100., 80., 140., 120.]))
    torch.testing.assert_close(seen[-1],
                               torch.tensor([[[0.25, 0.25, 0.75, 0.75]]]))
    box, score = model.track(img, state)
    assert box.shape == (4, ) and 0 <= score <= 1
