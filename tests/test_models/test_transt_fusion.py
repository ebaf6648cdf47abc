"""TransT's feature fusion neck (TransInMo*) and its sine positions."""
import math

import pytest
import torch

from mmtrack_ext.models.necks import (TransTFeatureFusion,
                                      sine_position_embedding)
from mmtrack_ext.structures.backbone_output import BackboneOutput


def test_sine_positions_are_detr_functions():
    h, w, dim = 3, 4, 8
    pos = sine_position_embedding(h, w, dim).reshape(h, w, dim)
    # row i: (i + 1) / h, column j: (j + 1) / w; two frequencies per axis
    i, j = 1, 2
    y, x = (i + 1) / h * 2 * math.pi, (j + 1) / w * 2 * math.pi
    freqs = [1.0, 10000**(-1 / 2)]
    expected = ([math.sin(y * f) for f in freqs] +
                [math.cos(y * f) for f in freqs] +
                [math.sin(x * f) for f in freqs] +
                [math.cos(x * f) for f in freqs])
    torch.testing.assert_close(pos[i, j], torch.tensor(expected))


@pytest.mark.parametrize('num_layers', [0, 2])
def test_fusion_maps_search_and_reads_the_template(num_layers):
    torch.manual_seed(0)
    neck = TransTFeatureFusion(in_channels=12, channels=16, num_heads=2,
                               ffn_channels=32, num_layers=num_layers).eval()
    assert len(neck.layers) == num_layers
    x = torch.randn(2, 12, 6, 6)
    z1, z2 = torch.randn(2, 2, 12, 3, 3), torch.randn(2, 2, 12, 3, 3)
    with torch.no_grad():
        out = neck(BackboneOutput(search=x, template=z1)).search
        other = neck(BackboneOutput(search=x, template=z2)).search
    assert out.shape == (2, 16, 6, 6)
    assert not torch.allclose(out, other)


def test_fusion_needs_templates():
    neck = TransTFeatureFusion(in_channels=16, channels=16, num_heads=2,
                               ffn_channels=32, num_layers=1)
    with pytest.raises(ValueError, match='template'):
        neck(BackboneOutput(search=torch.randn(1, 16, 4, 4)))
