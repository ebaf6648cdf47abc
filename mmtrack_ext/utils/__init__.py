"""Utilities of mmtrack_ext."""
from .setup_env import (close_dist_env, default_dist_backend, init_dist_env,
                        register_all_modules, setup_dist_backend)

__all__ = [
    'register_all_modules', 'default_dist_backend', 'setup_dist_backend',
    'init_dist_env', 'close_dist_env'
]
