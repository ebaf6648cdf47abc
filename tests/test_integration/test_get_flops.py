"""tools/analysis_tools/get_flops.py on real configs."""
import json
import os.path as osp
import subprocess
import sys

import torch
from mmengine.config import Config

from mmtrack_ext.registry import MODELS

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
sys.path.insert(0, osp.join(ROOT, 'tools', 'analysis_tools'))
from get_flops import complexity  # noqa: E402

TINY = osp.join(ROOT, 'configs', 'sbt', 'sbt_tiny_synthetic.py')


def test_counts_params_and_scales_flops_with_the_search_area():
    cfg = Config.fromfile(TINY)
    small = complexity(cfg)
    model = MODELS.build(cfg.model)
    assert small['params_m'] == round(
        sum(p.numel() for p in model.parameters()) / 1e6, 4)
    assert abs(sum(small['components'].values()) - small['params_m']) < 1e-3
    assert set(small['components']) == {'backbone', 'head'}
    assert (small['template_size'], small['search_size']) == (64, 96)
    # a search area of 4x the pixels costs more than 2x the FLOPs (the
    # head is built for 12 x 12 maps, so change the head with it)
    cfg.model.head.feat_size = 24
    cfg.model.head.hidden_tokens = 576
    cfg.model.test_cfg.search_size = 192
    big = complexity(cfg, (64, 192))
    assert big['gflops'] > 2 * small['gflops'] > 0


def test_cli_writes_json(tmp_path):
    out = osp.join(tmp_path, 'flops.json')
    cfg = osp.join(ROOT, 'configs', 'onestream',
                   'onestream_vit-tiny-p8_center_synthetic.py')
    subprocess.run([sys.executable, 'tools/analysis_tools/get_flops.py', cfg,
                    '--json', out], cwd=ROOT, check=True,
                   env=dict(__import__('os').environ, HF_HUB_OFFLINE='1'),
                   capture_output=True)
    with open(out) as f:
        result = json.load(f)
    assert result['params_m'] > 0 and result['gflops'] > 0
    assert result['config'] == cfg
    torch.testing.assert_close(result['search_size'], 96)


def test_fused_attention_is_counted_as_its_products():
    """q k^T and attn v of a fused attention call, and of
    nn.MultiheadAttention, are counted (a fused kernel counts 0)."""
    from get_flops import explicit_attention
    from mmengine.analysis import get_model_complexity_info

    class Fused(torch.nn.Module):

        def forward(self, q, k, v):
            return torch.nn.functional.scaled_dot_product_attention(q, k, v)

    q, k, v = torch.randn(1, 2, 4, 8), torch.randn(1, 2, 6, 8), torch.randn(
        1, 2, 6, 8)
    with torch.no_grad():
        opaque = get_model_complexity_info(
            Fused(), inputs=(q, k, v), show_table=False,
            show_arch=False)['flops']
        with explicit_attention():
            counted = get_model_complexity_info(
                Fused(), inputs=(q, k, v), show_table=False,
                show_arch=False)['flops']
            out = Fused()(q, k, v)
    assert opaque == 0
    assert counted == 2 * (2 * 4 * 6 * 8)  # two products per head
    torch.testing.assert_close(
        out, torch.nn.functional.scaled_dot_product_attention(q, k, v))
    mha = torch.nn.MultiheadAttention(8, 2, batch_first=True).eval()
    x = torch.randn(1, 5, 8)
    with torch.no_grad(), explicit_attention():
        flops = get_model_complexity_info(
            lambda_module(mha), inputs=(x, ), show_table=False,
            show_arch=False)['flops']
    # in/out projections 4 x 5 x 8 x 8, attention 2 x 5 x 5 x 8
    assert flops == 4 * 5 * 8 * 8 + 2 * 5 * 5 * 8


def lambda_module(mha):

    class SelfAttention(torch.nn.Module):

        def __init__(self):
            super().__init__()
            self.mha = mha

        def forward(self, x):
            return self.mha(x, x, x, need_weights=False)[0]

    return SelfAttention()
