"""Base class of models that the Runner trains but that do not track."""
from typing import Dict, List, Optional, Sequence

from mmengine.model import BaseModel
from torch import Tensor

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures import SOTDataSample
from ..data_preprocessors import build_data_preprocessor
from ..utils.freezing import ModuleFreezer

__all__ = ['BasePretextModel']


class BasePretextModel(BaseModel):
    """A pre-training (pretext-task) model, e.g. MAT's masked appearance
    transfer: trained by the Runner from the same pair pipelines as the
    trackers, checkpointed like them, and handed to a tracker through its
    backbone's ``pretrained`` (with ``pretrained_prefix='backbone.'``).

    It has no ``predict``: a config of a pretext model has no val/test
    loaders (``tools/train.py`` accepts that). Subclasses implement
    :meth:`loss` (and :meth:`_forward` for ``mode='tensor'``).

    Args:
        backbone: config of the encoder whose weights a tracker will reuse;
            it is built as ``self.backbone`` so its checkpoint keys start
            with ``backbone.``.
        frozen_modules, trainable_modules: as for
            :class:`~mmtrack_ext.models.trackers.BaseSOTTracker`.
        data_preprocessor: config of the data preprocessor (default
            ``SOTDataPreprocessor``).
    """

    def __init__(self,
                 backbone: dict,
                 frozen_modules: Sequence[str] = (),
                 trainable_modules: Sequence[str] = (),
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            data_preprocessor=build_data_preprocessor(data_preprocessor),
            init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self._freeze_names = (tuple(frozen_modules), tuple(trainable_modules))
        self.freezer: Optional[ModuleFreezer] = None

    def setup_freezing(self) -> None:
        """Apply ``frozen_modules``; call at the end of a subclass's
        ``__init__``, once every module exists."""
        self.freezer = ModuleFreezer(self, *self._freeze_names)
        self.freezer.apply_eval()

    def train(self, mode: bool = True):
        super().train(mode)
        if self.freezer is not None:
            self.freezer.apply_eval()
        return self

    def loss(self, inputs: Dict[str, Tensor],
             data_samples: List[SOTDataSample]) -> Dict[str, Tensor]:
        raise NotImplementedError

    def _forward(self, inputs: Dict[str, Tensor], data_samples=None):
        raise NotImplementedError

    def forward(self, inputs, data_samples=None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        if mode == 'predict':
            raise RuntimeError(
                f'{type(self).__name__} is a pretext (pre-training) model and '
                'does not track: give its checkpoint to a tracker backbone '
                "(pretrained=..., pretrained_prefix='backbone.') and test "
                'the tracker')
        raise RuntimeError(f'Invalid mode "{mode}". Only supports loss and '
                           'tensor mode')
