from .freezing import ModuleFreezer
from .pretrained import load_pretrained, unwrap_checkpoint

__all__ = ['ModuleFreezer', 'load_pretrained', 'unwrap_checkpoint']
