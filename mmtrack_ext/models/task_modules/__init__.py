from .windows import HanningWindow, SizeChangePenalty

__all__ = ['HanningWindow', 'SizeChangePenalty']
