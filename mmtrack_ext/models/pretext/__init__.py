from .base_pretext_model import BasePretextModel

__all__ = ['BasePretextModel']
