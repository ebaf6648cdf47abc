"""An example of a package that extends mmtrack_ext from the outside."""
from .box_prompted_vit import BoxPromptedViT
from .shared_tower_center_head import SharedTowerCenterHead

__all__ = ['BoxPromptedViT', 'SharedTowerCenterHead']
