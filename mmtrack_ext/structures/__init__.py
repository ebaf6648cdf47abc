from .boxes import (aligned_iou, box_area, box_is_valid, clip_boxes,
                    cxcywh_to_xyxy, pairwise_iou, scale_boxes, xywh_to_xyxy,
                    xyxy_to_cxcywh, xyxy_to_xywh)
from .crop import (CropWindow, box_from_crop, box_to_crop, crop_and_resize,
                   crop_window)
from .regions import (Mask, Polygon, Rectangle, Region, Special,
                      as_read_from_text, box_overlaps, format_region,
                      parse_region, read_regions, region_overlap,
                      region_overlaps, region_to_box, region_to_mask,
                      regions_to_boxes, write_regions)
from .sot_data_sample import SOTDataSample

__all__ = [
    'aligned_iou', 'box_area', 'box_is_valid', 'clip_boxes', 'cxcywh_to_xyxy',
    'pairwise_iou', 'scale_boxes', 'xywh_to_xyxy', 'xyxy_to_cxcywh',
    'xyxy_to_xywh', 'CropWindow', 'box_from_crop', 'box_to_crop',
    'crop_and_resize', 'crop_window', 'SOTDataSample', 'Region', 'Special',
    'Rectangle', 'Polygon', 'Mask', 'parse_region', 'format_region',
    'as_read_from_text', 'box_overlaps',
    'read_regions', 'write_regions', 'region_overlap', 'region_overlaps',
    'region_to_box', 'regions_to_boxes', 'region_to_mask'
]
