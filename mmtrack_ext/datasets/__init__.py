from .base_sot_dataset import BaseSOTDataset
from .coco_dataset import COCOSOTDataset
from .errors import (AnnotationError, BadSampleError, FrameLoadError,
                     InvalidCropError)
from .frame_samplers import FrameSample, FrameSampler
from .got10k_dataset import GOT10kDataset
from .imagenet_vid_dataset import ImageNetVIDDataset
from .lasot_dataset import LaSOTDataset, LaSOTExtDataset
from .nfs_dataset import NFSDataset
from .otb_dataset import OTB100Dataset
from .pair_dataset import SOTPairDataset
from .samplers import PairSampler, VideoSampler, split_videos_by_length
from .synthetic import make_synthetic_dataset
from .tnl2k_dataset import TNL2KDataset
from .trackingnet_dataset import TrackingNetDataset
from .transforms import *  # noqa: F401,F403
from .uav_dataset import UAV123Dataset
from .vot2020_dataset import VOT2020Dataset

__all__ = [
    'BaseSOTDataset', 'GOT10kDataset', 'make_synthetic_dataset', 'SOTPairDataset', 'FrameSample',
    'LaSOTDataset', 'LaSOTExtDataset', 'TrackingNetDataset', 'TNL2KDataset', 'NFSDataset',
    'FrameSampler', 'PairSampler', 'VideoSampler', 'split_videos_by_length',
    'AnnotationError', 'BadSampleError', 'FrameLoadError', 'InvalidCropError',
    'LoadFrames', 'SearchAreaCrop', 'CropTargetFromSearch',
    'CheckPaddingValidity', 'JointFlip',
    'JointGrayscale', 'BrightnessJitter', 'GaussianBlur', 'PackSOTInputs',
    'OTB100Dataset', 'UAV123Dataset', 'COCOSOTDataset', 'ImageNetVIDDataset',
    'VOT2020Dataset'
]
