"""Packed training samples for head tests."""
import torch
from mmengine.structures import InstanceData

from mmtrack_ext.structures import SOTDataSample


def search_samples(boxes, labels, size=64):
    """One :class:`SOTDataSample` per box: ``boxes`` xyxy normalised to a
    ``size`` x ``size`` search crop, ``labels`` 1 (positive pair) or 0."""
    out = []
    for box, label in zip(boxes, labels):
        s = SOTDataSample(metainfo=dict(search_shape=(size, size)))
        s.gt_instances = InstanceData(
            bboxes=torch.tensor([box], dtype=torch.float32) * size,
            labels=torch.tensor([label]))
        out.append(s)
    return out
