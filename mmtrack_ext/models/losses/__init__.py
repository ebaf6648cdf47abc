from .box_losses import GIoULoss, IoULossFamily, L1Loss
from .focal_loss import GaussianFocalLoss, gaussian_focal_loss

__all__ = [
    'GIoULoss', 'IoULossFamily', 'L1Loss', 'GaussianFocalLoss',
    'gaussian_focal_loss'
]
