from .mimetic_init import mimetic_factors, mimetic_init_

__all__ = ['mimetic_factors', 'mimetic_init_']
