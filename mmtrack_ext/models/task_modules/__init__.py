from .windows import HanningWindow

__all__ = ['HanningWindow']
