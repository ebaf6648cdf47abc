"""Two-stream (Siamese) ResNet backbone built on torchvision's ResNet."""
from typing import Dict, Optional

import torch
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
                                 ) -> Dict[str, Tensor]:
    """Map torchvision ResNet keys (``conv1``, ``bn1``, ``layer{i}``) onto
    :class:`SiameseResNet` (``stem.0``, ``stem.1``, ``stages.{i-1}``);
    stages past ``out_stage`` and the classifier are dropped. State dicts
    that already use the backbone's names pass through."""
    if any(k.startswith(('stem.', 'stages.')) for k in state):
        return state
    mapped = {}
    for key, value in state.items():
        if key.startswith(('conv1.', 'bn1.')):
            mapped['stem.' + key.replace('conv1.', '0.').replace(
                'bn1.', '1.')] = value
        elif key.startswith('layer'):
            idx, rest = key[5:].split('.', 1)
            if int(idx) <= len(backbone.stages):
                mapped[f'stages.{int(idx) - 1}.{rest}'] = value
    return mapped


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
    """

    def __init__(self,
                 depth: int = 50,
                 out_stage: int = 3,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 pretrained: Optional[str] = None,
                 pretrained_prefix: Optional[str] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if depth not in _STAGE_CHANNELS:
            raise ValueError(f'depth must be one of {list(_STAGE_CHANNELS)}')
        if out_stage not in (1, 2, 3, 4):
            raise ValueError(f'out_stage must be 1-4, got {out_stage}')
        net = getattr(torchvision.models, f'resnet{depth}')(weights=None)
        self.stem = nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool)
        self.stages = nn.ModuleList(
            [getattr(net, f'layer{i}') for i in range(1, out_stage + 1)])
        self.out_channels = _STAGE_CHANNELS[depth][out_stage - 1]
        self.out_stride = 4 * 2**(out_stage - 1)
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

    def extract(self, img: Tensor) -> Tensor:
        """``(B, 3, H, W) -> (B, C, H / stride, W / stride)``."""
        x = self.stem(img)
        for stage in self.stages:
            x = stage(x)
        return x

    def encode_template(self, template: Tensor, **extras) -> Dict[str, Tensor]:
        """Returns ``feats``: ``(B, T, C, h', w')`` template feature maps."""
        self.check_extras(extras)
        if template.dim() == 4:
            template = template[:, None]
        b, t = template.shape[:2]
        feats = self.extract(template.flatten(0, 1))
        return dict(feats=feats.reshape(b, t, *feats.shape[1:]))

    def encode_search(self, search: Tensor, memory: Dict[str, Tensor],
                      **extras) -> BackboneOutput:
        """Returns the search map ``(B, C, H', W')`` and the cached template
        maps ``(B, T, C, h', w')``; Siamese features are matched by a neck."""
        self.check_extras(extras)
        feats = memory['feats']
        search_map = self.extract(search)
        if feats.shape[0] != search_map.shape[0]:
            feats = feats.expand(search_map.shape[0], *feats.shape[1:])
        return BackboneOutput(search=search_map, template=feats)
