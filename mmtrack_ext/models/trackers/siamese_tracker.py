"""Siamese (two-stream) tracker."""
from mmtrack_ext.registry import MODELS
from .base_sot_tracker import BaseSOTTracker


@MODELS.register_module()
class SiameseTracker(BaseSOTTracker):
    """Template and search encoded separately by a shared backbone (e.g.
    :class:`SiameseResNet`), matched by a neck (e.g.
    :class:`DepthwiseCorrelation`), boxes from a head.

    The template feature map is computed once per video by
    ``backbone.encode_template``; each frame only the search image goes
    through the backbone.
    """

    def __init__(self, backbone: dict, head: dict, neck: dict, **kwargs):
        if neck is None:
            raise ValueError('SiameseTracker needs a neck to match template '
                             'and search features')
        super().__init__(backbone=backbone, head=head, neck=neck, **kwargs)
