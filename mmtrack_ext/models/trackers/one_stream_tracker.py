"""One-stream tracker (OSTrack-style)."""
from mmtrack_ext.registry import MODELS
from .base_sot_tracker import BaseSOTTracker


@MODELS.register_module()
class OneStreamTracker(BaseSOTTracker):
    """Template and search encoded jointly by one backbone (e.g.
    :class:`OneStreamViT`), a box head on the search tokens.

    The template part of the joint sequence is cached per video by
    ``backbone.encode_template``; see :class:`BaseSOTTracker` for the
    training and tracking procedure and the ``test_cfg`` keys.
    """
