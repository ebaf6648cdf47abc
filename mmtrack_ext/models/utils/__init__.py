from .freezing import ModuleFreezer
from .pretrained import load_pretrained, read_state_dict, unwrap_checkpoint

__all__ = [
    'ModuleFreezer', 'load_pretrained', 'read_state_dict', 'unwrap_checkpoint'
]
