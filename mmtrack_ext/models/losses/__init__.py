from .box_losses import GIoULoss, IoULoss, IoULossFamily, L1Loss
from .cross_entropy_loss import CrossEntropyLoss
from .focal_loss import GaussianFocalLoss, gaussian_focal_loss
from .gfl_loss import (DistributionFocalLoss, QualityFocalLoss,
                       distribution_focal_loss, integral, quality_focal_loss)
from .utils import normalizer, reduce_mean, weighted_reduce

__all__ = [
    'GIoULoss', 'IoULoss', 'IoULossFamily', 'L1Loss', 'CrossEntropyLoss',
    'GaussianFocalLoss', 'gaussian_focal_loss', 'QualityFocalLoss',
    'DistributionFocalLoss', 'quality_focal_loss', 'distribution_focal_loss',
    'integral', 'normalizer', 'reduce_mean', 'weighted_reduce'
]
