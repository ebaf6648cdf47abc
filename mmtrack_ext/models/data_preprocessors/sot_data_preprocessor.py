"""Data preprocessor for SOT: stacking, device transfer, normalisation."""
from typing import Optional, Sequence

import torch
from mmengine.model import BaseDataPreprocessor
from torch import Tensor

from mmtrack_ext.registry import MODELS


def build_data_preprocessor(cfg=None):
    """The data preprocessor of a model: ``cfg`` built from the toolbox's
    registry (so no default scope is needed), :class:`SOTDataPreprocessor`
    with its defaults when ``cfg`` is None, a module as it is."""
    if cfg is None:
        cfg = dict(type='SOTDataPreprocessor')
    return MODELS.build(cfg) if isinstance(cfg, dict) else cfg


@MODELS.register_module()
class SOTDataPreprocessor(BaseDataPreprocessor):
    """Prepare packed SOT samples for the model.

    Training batches (``inputs`` with ``template``, ``search`` and any other
    role) are stacked and moved to the model's device; image keys are
    converted BGR -> RGB and normalised: ``search`` becomes ``(B, 3, hx, wx)``
    float, every other role (``template``, ``online_template``...)
    ``(B, n, 3, h, w)`` float. Mask keys (``*_mask``, e.g.
    ``search_padding_mask`` ``(B, hx, wx)``, ``template_padding_mask``
    ``(B, T, hz, wz)``) stay bool and are never normalised.

    Testing batches (``inputs`` with ``img``, full frames of any size) are only
    moved to the device as a list of ``(3, H, W)`` uint8 BGR tensors: trackers
    crop the search area first and normalise the small crop with
    :meth:`normalize`, which is far cheaper than normalising whole frames.

    Args:
        mean: per-channel mean in RGB order, pixel units (0-255).
        std: per-channel std in RGB order, pixel units.
        bgr_to_rgb: whether inputs are BGR (as read by OpenCV) and must be
            flipped to RGB.
    """

    def __init__(self,
                 mean: Sequence[float] = (123.675, 116.28, 103.53),
                 std: Sequence[float] = (58.395, 57.12, 57.375),
                 bgr_to_rgb: bool = True,
                 non_blocking: bool = False):
        super().__init__(non_blocking)
        self.bgr_to_rgb = bgr_to_rgb
        self.register_buffer(
            'mean', torch.tensor(mean, dtype=torch.float32).view(3, 1, 1),
            persistent=False)
        self.register_buffer(
            'std', torch.tensor(std, dtype=torch.float32).view(3, 1, 1),
            persistent=False)

    def normalize(self, imgs: Tensor) -> Tensor:
        """Normalise images ``(..., 3, H, W)`` in pixel units (BGR if
        ``bgr_to_rgb``) to float RGB ``(x - mean) / std``."""
        imgs = imgs.float()
        if self.bgr_to_rgb:
            imgs = imgs.flip(-3)
        return (imgs - self.mean) / self.std

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        inputs = data['inputs']
        data_samples: Optional[list] = data.get('data_samples')
        if 'img' in inputs:
            imgs = inputs['img']
            if isinstance(imgs, Tensor):
                imgs = list(imgs) if imgs.dim() == 4 else [imgs]
            return dict(inputs=dict(img=imgs), data_samples=data_samples)
        out = {}
        for key, value in inputs.items():
            if isinstance(value, (list, tuple)):
                value = torch.stack(list(value))
            if key in ('search', 'search_padding_mask') and \
                    value.dim() == (5 if key == 'search' else 4):
                value = value.flatten(0, 1)  # one search image per sample
            if self.is_mask(key, value):
                out[key] = value.bool()
            else:
                out[key] = self.normalize(value)
        return dict(inputs=out, data_samples=data_samples)

    @staticmethod
    def is_mask(key: str, value: Tensor) -> bool:
        """Masks (``*_mask`` keys, bool tensors) pass through as bool."""
        return key.endswith('_mask') or value.dtype == torch.bool
