from .backbones import *  # noqa: F401,F403
from .data_preprocessors import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .necks import *  # noqa: F401,F403
from .pretext import *  # noqa: F401,F403
from .task_modules import *  # noqa: F401,F403
from .trackers import *  # noqa: F401,F403
from . import backbones, data_preprocessors, heads, losses, necks, \
    pretext, task_modules, trackers

__all__ = (
    backbones.__all__ + data_preprocessors.__all__ + heads.__all__ +
    losses.__all__ + necks.__all__ + pretext.__all__ + task_modules.__all__ + trackers.__all__)
