from .shared_tower_center_head import SharedTowerCenterHead

__all__ = ['SharedTowerCenterHead']
