from .box_losses import GIoULoss, IoULossFamily, L1Loss
from .cross_entropy_loss import CrossEntropyLoss
from .focal_loss import GaussianFocalLoss, gaussian_focal_loss
from .utils import normalizer, reduce_mean, weighted_reduce

__all__ = [
    'GIoULoss', 'IoULossFamily', 'L1Loss', 'CrossEntropyLoss',
    'GaussianFocalLoss', 'gaussian_focal_loss', 'normalizer', 'reduce_mean',
    'weighted_reduce'
]
