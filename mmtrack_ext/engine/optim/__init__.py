"""Optimizer wrappers and constructors of mmtrack_ext."""
from .autocast_optim_wrapper import AutocastOptimWrapper
from .sot_optim_wrapper_constructor import (SOTOptimWrapperConstructor,
                                            match_key)

__all__ = ['AutocastOptimWrapper', 'SOTOptimWrapperConstructor', 'match_key']
