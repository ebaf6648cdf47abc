"""The data sample that travels with every SOT input."""
from mmengine.structures import BaseDataElement, InstanceData


class SOTDataSample(BaseDataElement):
    """Annotations and predictions of one SOT sample.

    Training (a template/search pair, all boxes in pixels of the crops):

    - ``gt_instances.bboxes``: ``(1, 4)`` float ``xyxy`` target box in the
      search crop; ``gt_instances.labels``: ``(1,)`` long, 1 for a positive
      pair, 0 for a negative pair (target absent or another video).
    - ``template_instances.bboxes``: ``(T, 4)`` target boxes in the ``T``
      template crops.

    Testing (one full frame):

    - ``gt_instances.bboxes``: ``(1, 4)`` ground-truth box in frame pixels
      (used to initialise on frame 0 and by the metrics);
      ``gt_instances.visible``: ``(1,)`` bool.
    - ``pred_instances.bboxes``: ``(1, 4)`` predicted box in frame pixels;
      ``pred_instances.scores``: ``(1,)`` confidence in [0, 1];
      ``pred_instances.absent``: ``(1,)`` bool, only from trackers with
      ``test_cfg.absence_score``.

    Metainfo keys: ``video_id`` (int, index of the video in the dataset),
    ``video_name``, ``frame_id`` (0-based), ``video_length``, ``ori_shape``
    ``(H, W)``, ``img_path``; evaluation-only per-frame flags such as
    ``absent`` and ``cover`` live in ``gt_instances``.
    """

    @property
    def gt_instances(self) -> InstanceData:
        return self._gt_instances

    @gt_instances.setter
    def gt_instances(self, value: InstanceData):
        self.set_field(value, '_gt_instances', dtype=InstanceData)

    @gt_instances.deleter
    def gt_instances(self):
        del self._gt_instances

    @property
    def template_instances(self) -> InstanceData:
        return self._template_instances

    @template_instances.setter
    def template_instances(self, value: InstanceData):
        self.set_field(value, '_template_instances', dtype=InstanceData)

    @template_instances.deleter
    def template_instances(self):
        del self._template_instances

    @property
    def pred_instances(self) -> InstanceData:
        return self._pred_instances

    @pred_instances.setter
    def pred_instances(self, value: InstanceData):
        self.set_field(value, '_pred_instances', dtype=InstanceData)

    @pred_instances.deleter
    def pred_instances(self):
        del self._pred_instances
