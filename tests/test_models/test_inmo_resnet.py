"""CNNInMo's backbone: a Siamese ResNet with GIMs on the search branch."""
import os.path as osp

import pytest
import torch
import torchvision

from mmtrack_ext.models.backbones import InMoResNet, SiameseResNet


@pytest.fixture(scope='module')
def tv_resnet50(tmp_path_factory):
    """A randomly initialised torchvision ResNet-50 with dilated stages 3-4
    (SiamCAR's), saved in torchvision's format."""
    torch.manual_seed(0)
    net = torchvision.models.resnet50(
        weights=None, replace_stride_with_dilation=[False, True, True])
    path = osp.join(tmp_path_factory.mktemp('tv'), 'resnet50.pth')
    torch.save(net.state_dict(), path)
    return net.eval(), path


def _tv_stages(net, img):
    x = net.maxpool(net.relu(net.bn1(net.conv1(img))))
    outs = []
    for name in ('layer1', 'layer2', 'layer3', 'layer4'):
        x = getattr(net, name)(x)
        outs.append(x)
    return outs


def _backbone(path, **kwargs):
    model = InMoResNet(depth=50, out_stage=4, dilated_stages=(3, 4),
                       out_levels=(2, 3, 4), pretrained=path, **kwargs)
    model.init_weights()
    return model.eval()


def test_without_gims_it_computes_torchvision_stage_features(tv_resnet50):
    net, path = tv_resnet50
    model = _backbone(path, gim_stages=())
    assert model.out_stride == 8 and model.out_channels == 2048
    img = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        ours = model.stage_outputs(img)
        ref = _tv_stages(net, img)
        out = model(torch.randn(1, 3, 48, 48), img)
    for a, b in zip(ours, ref):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(out.search, ref[-1], rtol=1e-4, atol=1e-4)
    assert [lvl.shape[1] for lvl in out.search_levels] == [512, 1024, 2048]
    assert out.template_levels[0].shape[:2] == (1, 1)


def test_every_torchvision_key_maps_and_the_gims_are_new(tv_resnet50):
    net, path = tv_resnet50
    model = _backbone(path, gim=dict(num_heads=2, window_size=4))
    own = model.state_dict()
    tv = net.state_dict()
    for key in tv:
        if key.startswith('fc.'):
            continue
        name = key.replace('conv1.', 'stem.0.', 1) if key.startswith(
            'conv1.') else key
        name = name.replace('bn1.', 'stem.1.', 1) if name.startswith(
            'bn1.') else name
        if name.startswith('layer'):
            name = f'stages.{int(name[5]) - 1}{name[6:]}'
        torch.testing.assert_close(own[name], tv[key])
    assert set(model.gims) == {'1', '2', '3', '4'}


def test_gims_use_the_cached_template_stages(tv_resnet50):
    _, path = tv_resnet50
    torch.manual_seed(0)
    model = _backbone(path, gim_stages=(2, 4),
                      gim=dict(num_heads=2, window_size=4))
    search = torch.randn(2, 3, 64, 64)
    t1, t2 = torch.randn(1, 3, 48, 48), torch.randn(1, 3, 48, 48)
    with torch.no_grad():
        m1 = model.encode_template(t1)
        a = model.encode_search(search, m1).search
        b = model.encode_search(search, model.encode_template(t2)).search
        assert not torch.allclose(a, b)
        # two templates: keys from both
        two = model.encode_template(torch.randn(2, 2, 3, 48, 48))
        out = model.encode_search(search, two)
    assert out.template.shape[:2] == (2, 2)
    csa_only = _backbone(path, gim_stages=(2, ),
                         gim=dict(modules=('csa', ), num_heads=2))
    with torch.no_grad():
        a = csa_only.encode_search(search, csa_only.encode_template(t1))
        b = csa_only.encode_search(search, csa_only.encode_template(t2))
    torch.testing.assert_close(a.search, b.search)


def test_bad_settings_raise():
    with pytest.raises(ValueError, match='Bottleneck'):
        SiameseResNet(depth=18, dilated_stages=(3, ))
    with pytest.raises(ValueError, match='gim_stages'):
        InMoResNet(depth=50, out_stage=2, gim_stages=(3, ))
