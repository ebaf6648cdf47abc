from .augmentations import (BrightnessJitter, ColorJitter, GaussianBlur,
                            JointFlip, JointGrayscale, MotionBlur)
from .cropping import (CheckPaddingValidity, CropTargetFromSearch,
                       SearchAreaCrop, jitter_box)
from .formatting import PackSOTInputs
from .loading import LoadFrames
from .utils import get_rng, iter_frames

__all__ = [
    'LoadFrames', 'SearchAreaCrop', 'CropTargetFromSearch',
    'CheckPaddingValidity', 'jitter_box',
    'JointFlip', 'JointGrayscale', 'BrightnessJitter', 'GaussianBlur',
    'ColorJitter', 'MotionBlur', 'PackSOTInputs', 'get_rng', 'iter_frames'
]
