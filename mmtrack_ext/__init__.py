"""mmtrack_ext: single-object tracking components for MMEngine."""
from .version import __version__

__all__ = ['__version__']
