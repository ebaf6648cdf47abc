from .boxes import (aligned_iou, box_area, box_is_valid, clip_boxes,
                    cxcywh_to_xyxy, pairwise_iou, scale_boxes, xywh_to_xyxy,
                    xyxy_to_cxcywh, xyxy_to_xywh)
from .crop import (CropWindow, box_from_crop, box_to_crop, crop_and_resize,
                   crop_window)
from .sot_data_sample import SOTDataSample

__all__ = [
    'aligned_iou', 'box_area', 'box_is_valid', 'clip_boxes', 'cxcywh_to_xyxy',
    'pairwise_iou', 'scale_boxes', 'xywh_to_xyxy', 'xyxy_to_cxcywh',
    'xyxy_to_xywh', 'CropWindow', 'box_from_crop', 'box_to_crop',
    'crop_and_resize', 'crop_window', 'SOTDataSample'
]
