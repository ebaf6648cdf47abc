"""Two-stream (Siamese) ResNet backbone built on torchvision's ResNet."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch.nn as nn
import torchvision
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures.backbone_output import BackboneOutput
from ..utils.pretrained import load_pretrained
from .base_sot_backbone import BaseSOTBackbone

_STAGE_CHANNELS = {
    18: [64, 128, 256, 512],
    34: [64, 128, 256, 512],
    50: [256, 512, 1024, 2048],
    101: [256, 512, 1024, 2048],
}


def torchvision_resnet_converter(state: Dict[str, Tensor],
                                 backbone: 'SiameseResNet'
                                 ) -> Tuple[Dict[str, Tensor], List[str]]:
    """Map torchvision ResNet keys onto :class:`SiameseResNet`.

    ``conv1.*`` -> ``stem.0.*``, ``bn1.*`` -> ``stem.1.*``,
    ``layer{i}.*`` -> ``stages.{i-1}.*`` for the stages the backbone keeps; a
    state dict that already uses the backbone's names (``stem.*`` /
    ``stages.*``, e.g. an MMEngine checkpoint with
    ``pretrained_prefix='backbone.'``) passes through unchanged.

    Returns:
        tuple: the converted state dict and the input keys it does not use
        (stages past ``out_stage``, the classifier ``fc``...), which
        :func:`~mmtrack_ext.models.utils.load_pretrained` reports as
        unexpected.
    """
    if any(k.startswith(('stem.', 'stages.')) for k in state):
        return dict(state), []
    stem = {'conv1': 'stem.0', 'bn1': 'stem.1'}
    mapped, unused = {}, []
    for key, value in state.items():
        head, _, rest = key.partition('.')
        if head in stem and rest:
            mapped[f'{stem[head]}.{rest}'] = value
        elif (head.startswith('layer') and head[5:].isdigit() and rest
              and 1 <= int(head[5:]) <= len(backbone.stages)):
            mapped[f'stages.{int(head[5:]) - 1}.{rest}'] = value
        else:
            unused.append(key)
    return mapped, unused


@MODELS.register_module()
class SiameseResNet(BaseSOTBackbone):
    """ResNet shared by the template and search streams, truncated early.

    The template is encoded once per video (its whole feature map is the
    memory); each frame only the search image goes through the network.

    Args:
        depth: ResNet depth (18, 34, 50 or 101), torchvision layout.
        out_stage: last stage kept: 2 (stride 8) or 3 (stride 16).
        frozen_stages: stages (0 = stem) whose parameters are frozen.
        norm_eval: keep BatchNorm layers in eval mode during training.
        pretrained: local path of a torchvision ResNet state dict, or of an
            MMEngine checkpoint with this backbone's names (with
            ``pretrained_prefix``).
        pretrained_prefix: keep only the checkpoint keys under this prefix
            (``'backbone.'``, or ``'auto'``).
        dilated_stages: stages (3, 4) whose stride 2 is replaced by a
            dilation (torchvision's ``replace_stride_with_dilation``;
            SiamRPN++ / SiamCAR: ``(3, 4)``, output stride 8 with
            ``out_stage=4``); Bottleneck depths (50, 101) only.
        out_levels: stages (1-based) whose outputs are also returned as
            ``search_levels`` / ``template_levels`` (SiamCAR: ``(2, 3,
            4)``).
    """

    def __init__(self,
                 depth: int = 50,
                 out_stage: int = 3,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 pretrained: Optional[str] = None,
                 pretrained_prefix: Optional[str] = None,
                 dilated_stages: Sequence[int] = (),
                 out_levels: Sequence[int] = (),
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if depth not in _STAGE_CHANNELS:
            raise ValueError(f'depth must be one of {list(_STAGE_CHANNELS)}')
        if out_stage not in (1, 2, 3, 4):
            raise ValueError(f'out_stage must be 1-4, got {out_stage}')
        dilated = sorted(set(int(s) for s in dilated_stages))
        if set(dilated) - {3, 4}:
            raise ValueError(f'dilated_stages must be among (3, 4), got '
                             f'{tuple(dilated_stages)}')
        if dilated and depth < 50:
            raise ValueError('dilated_stages needs a Bottleneck ResNet '
                             f'(depth 50 or 101), got depth {depth}')
        self.out_levels = tuple(int(s) for s in out_levels)
        if any(not 1 <= s <= out_stage for s in self.out_levels):
            raise ValueError(f'out_levels {self.out_levels} must be stages '
                             f'1..{out_stage}')
        net = getattr(torchvision.models, f'resnet{depth}')(
            weights=None,
            replace_stride_with_dilation=[s in dilated for s in (2, 3, 4)])
        self.stem = nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool)
        self.stages = nn.ModuleList(
            [getattr(net, f'layer{i}') for i in range(1, out_stage + 1)])
        self.out_channels = _STAGE_CHANNELS[depth][out_stage - 1]
        self.level_channels = [
            _STAGE_CHANNELS[depth][s - 1] for s in self.out_levels]
        self.out_stride = 4 * 2**sum(
            1 for s in range(2, out_stage + 1) if s not in dilated)
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.pretrained = pretrained
        self.pretrained_prefix = pretrained_prefix
        self._freeze()

    def _freeze(self):
        modules = [self.stem] + list(self.stages)
        for m in modules[:self.frozen_stages + 1]:
            m.eval()
            for p in m.parameters():
                p.requires_grad = False

    def init_weights(self):
        super().init_weights()
        if self.pretrained:
            load_pretrained(self, self.pretrained,
                            prefix=self.pretrained_prefix,
                            converter=torchvision_resnet_converter)

    def train(self, mode: bool = True):
        super().train(mode)
        self._freeze()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, nn.modules.batchnorm._BatchNorm):
                    m.eval()
        return self

    def interact(self, stage: int, x: Tensor,
                 template: Optional[Tensor]) -> Tensor:
        """Hook after stage ``stage`` (0-based) of the search branch, given
        the template's output of that stage; identity here (InBN's
        interaction modules override it)."""
        return x

    def stage_outputs(self, img: Tensor,
                      templates: Optional[List[Tensor]] = None
                      ) -> List[Tensor]:
        """``(B, 3, H, W)`` through the stem and every stage; with
        ``templates`` (the template's stage outputs) each stage output of
        this (search) image passes through :meth:`interact`."""
        x = self.stem(img)
        outs = []
        for i, stage in enumerate(self.stages):
            x = stage(x)
            if templates is not None:
                x = self.interact(i, x, templates[i])
            outs.append(x)
        return outs

    def extract(self, img: Tensor) -> Tensor:
        """``(B, 3, H, W) -> (B, C, H / stride, W / stride)``, one image
        alone."""
        return self.stage_outputs(img)[-1]

    def encode_template(self, template: Tensor, **extras) -> Dict[str, Tensor]:
        """Returns ``feats``: ``(B, T, C, h', w')`` template feature maps,
        and ``stages``: every stage's ``(B * T, C_i, h_i, w_i)`` output."""
        self.check_extras(extras)
        if template.dim() == 4:
            template = template[:, None]
        b, t = template.shape[:2]
        outs = self.stage_outputs(template.flatten(0, 1))
        feats = outs[-1]
        return dict(feats=feats.reshape(b, t, *feats.shape[1:]), stages=outs,
                    num_templates=t)

    def encode_search(self, search: Tensor, memory: Dict[str, Tensor],
                      **extras) -> BackboneOutput:
        """Returns the search map ``(B, C, H', W')``, the cached template
        maps ``(B, T, C, h', w')`` and the ``out_levels`` of both; Siamese
        features are matched by a neck."""
        self.check_extras(extras)
        b, t = search.shape[0], memory['num_templates']

        def with_templates(zmap: Tensor) -> Tensor:
            zmap = zmap.reshape(-1, t, *zmap.shape[1:])
            if zmap.shape[0] != b:
                zmap = zmap.expand(b, *zmap.shape[1:])
            return zmap

        outs = self.stage_outputs(search, memory['stages'])
        out = BackboneOutput(search=outs[-1],
                             template=with_templates(memory['stages'][-1]))
        if self.out_levels:
            out.search_levels = [outs[s - 1] for s in self.out_levels]
            out.template_levels = [
                with_templates(memory['stages'][s - 1])
                for s in self.out_levels
            ]
        return out
