"""Parameters and FLOPs of a config's tracker at its test crop sizes.

The counted forward is one template/search pair through the backbone, the
neck and the head (``BaseSOTTracker._forward``'s network part), at
``test_cfg.template_size`` / ``search_size`` (``--shape`` overrides). FLOPs
are MMEngine's (:func:`mmengine.analysis.get_model_complexity_info`): one
fused multiply-add counts as one FLOP, as trackers' papers report them.
Attention is counted with the explicit ``softmax(q k^T) v`` form: while
counting, ``F.scaled_dot_product_attention`` (used by the backbones, timm's
blocks and ``nn.MultiheadAttention`` off its fast path) is replaced by
matrix products, since a fused attention kernel is opaque to the counter.
Training-only parts (auxiliary heads) are not counted; the score head is.

Example::

    python tools/analysis_tools/get_flops.py configs/sbt/sbt-base_got10k.py \
        --json flops.json
    # {"params_m": 21.35, "gflops": ..., "components": {...}, ...}
"""
import argparse
import contextlib
import json
import math
import os.path as osp
import sys
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmengine.analysis import get_model_complexity_info  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402

from mmtrack_ext.registry import MODELS  # noqa: E402
from mmtrack_ext.utils import register_all_modules  # noqa: E402


def _explicit_attention(q, k, v, attn_mask=None, dropout_p=0.0,
                        is_causal=False, scale: Optional[float] = None,
                        enable_gqa=False):
    """``F.scaled_dot_product_attention`` as matrix products (inference:
    no dropout), for the counter."""
    if is_causal:
        n, m = q.shape[-2], k.shape[-2]
        attn_mask = torch.ones(n, m, dtype=torch.bool,
                               device=q.device).tril()
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    attn = (q * scale) @ k.transpose(-2, -1)
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            attn = attn.masked_fill(~attn_mask, float('-inf'))
        else:
            attn = attn + attn_mask
    return attn.softmax(dim=-1) @ v


@contextlib.contextmanager
def explicit_attention():
    """Count attention as the products it is: swap in
    :func:`_explicit_attention` and keep ``nn.MultiheadAttention`` off its
    fused fast path for the duration."""
    fused = F.scaled_dot_product_attention
    fastpath = torch.backends.mha.get_fastpath_enabled()
    F.scaled_dot_product_attention = _explicit_attention
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        yield
    finally:
        F.scaled_dot_product_attention = fused
        torch.backends.mha.set_fastpath_enabled(fastpath)


class _PairForward(nn.Module):
    """The network part of one tracking step: template and search crops in,
    the head's (and score head's) outputs out."""

    def __init__(self, tracker: nn.Module):
        super().__init__()
        self.tracker = tracker

    def forward(self, template: torch.Tensor, search: torch.Tensor):
        t = self.tracker
        feats = t.backbone(template, search, **self.extras(template))
        if t.neck is not None:
            feats = t.neck(feats)
        outs = t.head(feats.search)
        if t.score_head is not None:
            outs['score_head'] = t.score_head(feats)
        return tuple(v for v in outs.values() if isinstance(v, torch.Tensor))

    def extras(self, template: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Dummy extras (a centred box, no padding) for backbones that need
        them."""
        wanted = set(self.tracker.backbone.accepted_extras)
        b, _, h, w = template.shape
        extras = {}
        if 'template_boxes' in wanted:
            extras['template_boxes'] = template.new_tensor(
                [0.25, 0.25, 0.75, 0.75]).expand(b, 1, 4)
        if 'template_padding_mask' in wanted:
            extras['template_padding_mask'] = torch.zeros(
                b, 1, h, w, dtype=torch.bool)
        return extras


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--shape', type=int, nargs=2, default=None,
                        metavar=('TEMPLATE', 'SEARCH'),
                        help='crop sizes (px) instead of the test_cfg ones')
    parser.add_argument('--json', help='write the results to this file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries (key=value)')
    return parser.parse_args()


def complexity(cfg: Config, shape=None) -> dict:
    """``params_m`` (whole tracker, millions), ``gflops`` (one pair),
    ``components`` (parameters per top-level module, millions) and the
    crop sizes used."""
    register_all_modules()
    model = MODELS.build(cfg.model)
    model.eval()
    params = sum(p.numel() for p in model.parameters())
    components = {
        name: round(sum(p.numel() for p in m.parameters()) / 1e6, 4)
        for name, m in model.named_children()
        if any(True for _ in m.parameters())
    }
    backbone = model.backbone
    if hasattr(backbone, 'attn_impl'):
        backbone.attn_impl = 'math'
    if shape is None:
        shape = (model.template_size, model.search_size)
    t_size, s_size = shape
    template = torch.zeros(1, 3, t_size, t_size)
    search = torch.zeros(1, 3, s_size, s_size)
    with torch.no_grad(), explicit_attention():
        info = get_model_complexity_info(
            _PairForward(model), inputs=(template, search),
            show_table=False, show_arch=False)
    return dict(
        params_m=round(params / 1e6, 4),
        gflops=round(info['flops'] / 1e9, 4),
        components=components,
        template_size=t_size,
        search_size=s_size)


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    result = dict(config=args.config, **complexity(cfg, args.shape))
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=2)


if __name__ == '__main__':
    main()
