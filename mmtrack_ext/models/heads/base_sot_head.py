"""The head contract of mmtrack_ext."""
from typing import Callable, Dict, List, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmtrack_ext.structures import SOTDataSample


def conv_bn_relu(in_channels: int, out_channels: int,
                 kernel_size: int = 3) -> nn.Sequential:
    """Conv(k, same padding) -> BatchNorm -> ReLU."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size,
                  padding=kernel_size // 2, bias=False),
        nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


def conv_tower(in_channels: int, channels: int, num_convs: int) -> nn.Sequential:
    """``num_convs`` conv-bn-relu layers halving the width after the first:
    ``in -> ch -> ch/2 -> ... -> ch/2**(num_convs-1)``."""
    layers, c_in = [], in_channels
    for i in range(num_convs):
        c_out = max(channels // 2**i, 1)
        layers.append(conv_bn_relu(c_in, c_out))
        c_in = c_out
    return nn.Sequential(*layers)


def conv_branch(in_channels: int, channels: int, num_convs: int,
                out_channels: int) -> nn.Sequential:
    """A :func:`conv_tower` and a 1x1 conv to ``out_channels``: the branch
    shape of OSTrack's / STARK's heads (``[0]`` the tower, ``[1]`` the
    output conv)."""
    last = max(channels // 2**(num_convs - 1), 1)
    return nn.Sequential(
        conv_tower(in_channels, channels, num_convs),
        nn.Conv2d(last, out_channels, 1))


class BaseSOTHead(BaseModule):
    """Base class of tracking heads.

    A head maps search features ``(B, C, H, W)`` to raw outputs
    (:meth:`forward`); :meth:`loss` computes training losses against the
    packed data samples and :meth:`predict` decodes boxes. Boxes returned by
    :meth:`predict` are ``xyxy`` normalised to the search crop (``[0, 1]``
    over its width and height), so any head works with any backbone whose
    output fits.
    """

    def loss(self, feats: Tensor,
             data_samples: List[SOTDataSample]) -> Dict[str, Tensor]:
        return self.loss_by_feat(self(feats), data_samples)

    def predict(self, feats: Tensor,
                score_window: Optional[Callable[[Tensor], Tensor]] = None
                ) -> Dict[str, Tensor]:
        """Decode boxes.

        Args:
            feats: ``(B, C, H, W)`` search features.
            score_window: optional callable applied to the ``(B, 1, H, W)``
                score map before the peak is selected (e.g. a Hanning
                window); heads without a score map ignore it.

        Returns:
            dict: ``bboxes`` ``(B, 4)`` normalised xyxy in the search crop,
            ``scores`` ``(B,)`` confidence in [0, 1], ``score_map``
            ``(B, 1, H, W)`` when the head has one.
        """
        return self.predict_by_feat(self(feats), score_window)

    def size_map(self, outs: Dict[str, Tensor]) -> Optional[Tensor]:
        """``(B, 2, H, W)`` per-cell ``(w, h)`` normalised to the search
        crop, for heads that predict a box size per cell (the tracker's
        ``size_penalty`` needs it), else ``None``."""
        return None

    def check_feat_size(self, size: Tuple[int, int]) -> None:
        """Raise ``ValueError`` if the head cannot take ``(H, W)`` search
        maps (heads with one weight per cell); the tracker calls it for
        every search size it will use when it is built."""

    def loss_by_feat(self, outs: Dict[str, Tensor],
                     data_samples: List[SOTDataSample]) -> Dict[str, Tensor]:
        raise NotImplementedError

    def predict_by_feat(self, outs: Dict[str, Tensor],
                        score_window=None) -> Dict[str, Tensor]:
        raise NotImplementedError

    @staticmethod
    def get_targets(data_samples: List[SOTDataSample],
                    device) -> Tuple[Tensor, Tensor]:
        """Ground truth of a training batch.

        Returns:
            tuple: ``(B, 4)`` xyxy target boxes normalised by the search crop
            size, and ``(B,)`` bool flags of positive pairs.
        """
        boxes, labels = [], []
        for sample in data_samples:
            h, w = sample.metainfo['search_shape'][:2]
            box = sample.gt_instances.bboxes.reshape(-1, 4)[0].float()
            boxes.append(box / box.new_tensor([w, h, w, h]))
            labels.append(sample.gt_instances.labels.reshape(-1)[0])
        return (torch.stack(boxes).to(device),
                torch.stack(labels).to(device).bool())
