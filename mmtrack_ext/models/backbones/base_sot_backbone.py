"""The backbone contract of mmtrack_ext."""
from typing import Any, Dict, Iterable, Tuple

from mmengine.model import BaseModule
from torch import Tensor

from mmtrack_ext.structures.backbone_output import BackboneOutput

__all__ = ['BaseSOTBackbone', 'TEMPLATE_EXTRAS', 'SEARCH_EXTRAS']

#: extras computed by the tracker that go to ``encode_template``:
#: ``template_boxes`` ``(B, T, 4)`` target box of each template, ``xyxy``
#: normalised to its crop (``[0, 1]``); ``template_padding_mask``
#: ``(B, T, h, w)`` bool, True where the crop is padding.
TEMPLATE_EXTRAS = ('template_boxes', 'template_padding_mask')
#: extras that go to ``encode_search``: ``search_padding_mask`` ``(B, H, W)``.
SEARCH_EXTRAS = ('search_padding_mask', )


class BaseSOTBackbone(BaseModule):
    """Base class of SOT backbones.

    A backbone is split in two for tracking: :meth:`encode_template` runs once
    per video (and at every template update) and returns a *memory* holding
    as much of the template computation as the backbone's attention pattern
    allows; :meth:`encode_search` runs every frame and returns a
    :class:`~mmtrack_ext.structures.BackboneOutput`. Training calls
    :meth:`forward`, which is exactly
    ``encode_search(search, encode_template(template, **t_extras),
    **s_extras)``, so training and tracking share one code path.

    **Extras.** Per-sample side inputs (the template's target box, padding
    masks) are computed by the tracker, in training from the data samples and
    in tracking from the crop windows, and passed as keyword arguments. A
    backbone lists those it uses in ``accepted_extras`` (a class attribute,
    which an instance may narrow in ``__init__`` when an option is off); the
    tracker passes exactly those, and passing any other raises naming it, so
    an extra is never swallowed silently. Names starting with ``template_``
    go to :meth:`encode_template`, the others to :meth:`encode_search`
    (:data:`TEMPLATE_EXTRAS`, :data:`SEARCH_EXTRAS`).

    Subclasses set ``out_channels`` (channels of the search feature map) and
    ``out_stride`` (search-image pixels per feature cell).
    """
    out_channels: int
    out_stride: int
    accepted_extras: Tuple[str, ...] = ()

    def check_extras(self, names: Iterable[str]) -> None:
        """Raise ``TypeError`` naming every extra this backbone does not
        accept."""
        unknown = sorted(set(names) - set(self.accepted_extras))
        if unknown:
            raise TypeError(
                f'{type(self).__name__} does not accept the extras {unknown}'
                f' (accepted_extras: {list(self.accepted_extras)})')

    @staticmethod
    def split_extras(extras: Dict[str, Any]
                     ) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        """``(template extras, search extras)`` by name prefix."""
        template = {k: v for k, v in extras.items()
                    if k.startswith('template_')}
        search = {k: v for k, v in extras.items() if k not in template}
        return template, search

    def encode_template(self, template: Tensor, **extras) -> Any:
        """Encode ``(B, T, 3, h, w)`` or ``(B, 3, h, w)`` template(s)."""
        raise NotImplementedError

    def encode_search(self, search: Tensor, memory: Any,
                      **extras) -> BackboneOutput:
        """Encode the ``(B, 3, H, W)`` search image against ``memory``.

        Returns:
            BackboneOutput: ``search`` ``(B, C, H / stride, W / stride)`` and
            whatever else the backbone has (template maps, cls token...).
        """
        raise NotImplementedError

    def forward(self, template: Tensor, search: Tensor,
                **extras) -> BackboneOutput:
        self.check_extras(extras)
        t_extras, s_extras = self.split_extras(extras)
        return self.encode_search(
            search, self.encode_template(template, **t_extras), **s_extras)
