"""MAT: masked appearance transfer pre-training (Zhao et al., CVPR 2023)."""
from typing import Dict, List, Optional, Tuple

import torch
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures import SOTDataSample
from .base_pretext_model import BasePretextModel
from .masking import (grid_keep, masked_patch_mse, patchify, random_keep,
                      unpatchify)

__all__ = ['MATPretrainer']

MASKINGS = ('random', 'grid')


@MODELS.register_module()
class MATPretrainer(BasePretextModel):
    """Masked appearance transfer (MAT Sec. 3, Fig. 1b).

    The one-stream encoder (:class:`OneStreamViT` with
    :meth:`~OneStreamViT.encode_masked`) encodes the visible patches of the
    template and of the search image jointly (``[cls, z_visible,
    x_visible]``); patches are masked per image and per sample at
    ``mask_ratio``. One shared decoder (:class:`MAEDecoder`) then runs twice:

    - on ``[cls, x_visible]`` + mask tokens over the search grid: the
      **search image** itself (L_search);
    - on ``[cls, z_visible]`` + mask tokens over the template grid: the
      **transfer target**, the target cut from the augmented search crop
      into the template's frame (``inputs[transfer_role]``, made by
      :class:`~mmtrack_ext.datasets.transforms.CropTargetFromSearch`):
      the template's tokens must carry the target as it looks in the search
      image (L_template).

    Each loss is the squared error of normalised pixels per patch, averaged
    over the masked patches (every patch at ``mask_ratio`` 0); the total is
    ``template_weight * L_template + search_weight * L_search`` (1 : 1).

    Args:
        backbone: :class:`OneStreamViT` config (MAT: cls token,
            ``pos_embed='sincos'``, ``template_patch_embed=True``).
        decoder: :class:`MAEDecoder` config (``in_channels``, ``patch_size``
            and ``use_cls_token`` are filled in from the backbone).
        mask_ratio: fraction of the patches of each image that is masked
            (MAT: 0.25; Table 5: 0, 0.25, 0.5, 0.75).
        masking: ``'random'`` (per sample, MAE) or ``'grid'`` (one patch
            of every 2 x 2 kept, a 75 % mask; ``mask_ratio`` is then
            unused; Table 7).
        norm_pix_loss: targets normalised per patch (MAE option; MAT: off).
        transfer_role: the pipeline role of the transfer target.
        template_weight, search_weight: loss weights.
        frozen_modules, trainable_modules, data_preprocessor: see
            :class:`BasePretextModel`.
    """

    def __init__(self,
                 backbone: dict,
                 decoder: dict,
                 mask_ratio: float = 0.25,
                 masking: str = 'random',
                 norm_pix_loss: bool = False,
                 transfer_role: str = 'transfer_target',
                 template_weight: float = 1.,
                 search_weight: float = 1.,
                 frozen_modules=(),
                 trainable_modules=(),
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(backbone, frozen_modules, trainable_modules,
                         data_preprocessor, init_cfg)
        if not hasattr(self.backbone, 'encode_masked'):
            raise TypeError(f'MATPretrainer needs a backbone with '
                            f'encode_masked (OneStreamViT), got '
                            f'{type(self.backbone).__name__}')
        if masking not in MASKINGS:
            raise ValueError(f'masking must be one of {MASKINGS}, got '
                             f'{masking!r}')
        if not 0. <= mask_ratio < 1.:
            raise ValueError(f'mask_ratio must be in [0, 1), got '
                             f'{mask_ratio}')
        decoder = dict(decoder)
        decoder.setdefault('in_channels', self.backbone.embed_dim)
        decoder.setdefault('patch_size', self.backbone.patch_size)
        decoder.setdefault('use_cls_token', self.backbone.use_cls_token)
        self.decoder = MODELS.build(decoder)
        self.mask_ratio = float(mask_ratio)
        self.masking = masking
        self.norm_pix_loss = bool(norm_pix_loss)
        self.transfer_role = transfer_role
        self.template_weight = float(template_weight)
        self.search_weight = float(search_weight)
        self.setup_freezing()

    # ------------------------------------------------------------ masking
    def sample_keep(self, batch: int, grid: Tuple[int, int],
                    device=None) -> Optional[Tensor]:
        """``(B, K)`` visible patch indices of a grid, or ``None`` when
        nothing is masked."""
        if self.masking == 'grid':
            return grid_keep(batch, grid, device=device)
        if self.mask_ratio == 0.:
            return None
        return random_keep(batch, grid[0] * grid[1], self.mask_ratio,
                           device=device)

    # ------------------------------------------------------------ forward
    def _split(self, inputs: Dict[str, Tensor]):
        for key in ('template', 'search', self.transfer_role):
            if key not in inputs:
                raise KeyError(
                    f'MATPretrainer needs inputs[{key!r}] (the pipeline '
                    'must crop with SearchAreaCrop, add the transfer target '
                    'with CropTargetFromSearch and pack with PackSOTInputs); '
                    f'got {sorted(inputs)}')
        template = inputs['template']
        target = inputs[self.transfer_role]
        if template.dim() == 5:
            template = template[:, 0]
        if target.dim() == 5:
            target = target[:, 0]
        return template, inputs['search'], target

    def reconstruct(self, inputs: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Mask, encode and decode a batch.

        Returns:
            dict: ``template_pred`` ``(B, Nz, p * p * 3)`` and
            ``search_pred`` ``(B, Nx, p * p * 3)`` (normalised pixels per
            patch, per-patch normalised with ``norm_pix_loss``),
            ``template_keep`` / ``search_keep`` ``(B, K)`` (or ``None``),
            ``template_grid`` / ``search_grid``.
        """
        template, search, _ = self._split(inputs)
        p = self.backbone.patch_size
        b = search.shape[0]
        grid_z = (template.shape[-2] // p, template.shape[-1] // p)
        grid_x = (search.shape[-2] // p, search.shape[-1] // p)
        keep_z = self.sample_keep(b, grid_z, search.device)
        keep_x = self.sample_keep(b, grid_x, search.device)
        cls, z, x = self.backbone.encode_masked(template, search, keep_z,
                                                keep_x)
        prefix = [cls[:, None]] if cls is not None else []
        z_pred = self.decoder(torch.cat(prefix + [z], 1), keep_z, grid_z)
        x_pred = self.decoder(torch.cat(prefix + [x], 1), keep_x, grid_x)
        return dict(template_pred=z_pred, search_pred=x_pred,
                    template_keep=keep_z, search_keep=keep_x,
                    template_grid=grid_z, search_grid=grid_x)

    def patch_targets(self, imgs: Tensor) -> Tensor:
        """``(B, N, p * p * 3)`` reconstruction targets of ``(B, 3, H, W)``
        normalised images."""
        target = patchify(imgs.float(), self.backbone.patch_size)
        if self.norm_pix_loss:
            mean = target.mean(dim=-1, keepdim=True)
            var = target.var(dim=-1, keepdim=True)
            target = (target - mean) / (var + 1e-6)**.5
        return target

    def loss(self, inputs: Dict[str, Tensor],
             data_samples: Optional[List[SOTDataSample]] = None
             ) -> Dict[str, Tensor]:
        _, search, target = self._split(inputs)
        out = self.reconstruct(inputs)
        loss_template = masked_patch_mse(
            out['template_pred'], self.patch_targets(target),
            out['template_keep'])
        loss_search = masked_patch_mse(
            out['search_pred'], self.patch_targets(search),
            out['search_keep'])
        return dict(loss_template=self.template_weight * loss_template,
                    loss_search=self.search_weight * loss_search)

    def _forward(self, inputs: Dict[str, Tensor], data_samples=None):
        """Reconstructed images: ``template`` (the transfer target) and
        ``search``, ``(B, 3, H, W)`` in normalised pixel units."""
        out = self.reconstruct(inputs)
        p = self.backbone.patch_size
        return dict(
            template=unpatchify(out['template_pred'], out['template_grid'],
                                p),
            search=unpatchify(out['search_pred'], out['search_grid'], p))
