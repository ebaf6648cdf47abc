"""Loading of local checkpoints without executing code from the file.

``torch.load(weights_only=True)`` (the default since torch 2.6) only rebuilds
tensors and a small set of harmless Python types.  MMEngine 0.10.7 checkpoints
also hold a few other globals in ``message_hub`` and ``meta`` (the log
buffers, numpy arrays and scalars, the annealing function of the one-cycle
scheduler), so its plain ``torch.load`` cannot resume from them any more.

This module loads them with ``weights_only=True`` and an allowlist of exactly
the globals MMEngine writes (:data:`MMENGINE_CHECKPOINT_GLOBALS`), and
registers that loader for local paths in
:class:`mmengine.runner.CheckpointLoader` when :mod:`mmtrack_ext.engine` is
imported (the registries of :mod:`mmtrack_ext.registry` import it, so every
``Runner`` with ``default_scope='mmtrack_ext'`` uses it).  A checkpoint that
needs any other global is refused with :class:`UnsafeCheckpointError`, found
by static inspection of its pickle: nothing from the file runs.

Trust is explicit and per file: a path listed in the environment variable
``MMTRACK_EXT_TRUSTED_CHECKPOINTS`` (``os.pathsep``-separated), added with
:func:`trust_checkpoint` or by ``--trust-checkpoint`` of ``tools/train.py`` and
``tools/test.py``, is loaded with ``weights_only=False``, i.e. as a full
pickle that may run code.

On torch without ``torch.serialization.safe_globals`` naming support (< 2.6)
the same allowlist is enforced by a restricted ``pickle`` unpickler instead.
"""
import functools
import io
import os
import os.path as osp
import pickle
import pickletools
import zipfile
from typing import Any, Callable, Dict, List, Optional, Tuple

import torch
from mmengine.logging import print_log
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.optim.scheduler.param_scheduler import OneCycleParamScheduler
from mmengine.runner import CheckpointLoader

__all__ = [
    'TRUSTED_CHECKPOINTS_ENV', 'MMENGINE_CHECKPOINT_GLOBALS',
    'UnsafeCheckpointError', 'trust_checkpoint', 'is_trusted_checkpoint',
    'find_unsafe_globals', 'safe_torch_load', 'load_from_local_weights_only',
    'install_safe_checkpoint_loader'
]

#: Environment variable listing checkpoint files loaded as full pickles.
TRUSTED_CHECKPOINTS_ENV = 'MMTRACK_EXT_TRUSTED_CHECKPOINTS'


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint needs globals outside the allowlist and is not trusted."""


class _ClassRef:
    """Stands for a class that a checkpoint may name only as the target of
    :func:`_restricted_getattr`; it can be neither called nor instantiated."""

    def __init__(self, cls: type):
        self.cls = cls

    def __repr__(self) -> str:
        return f'<reference to {self.cls.__module__}.{self.cls.__qualname__}>'


_ONE_CYCLE_REF = _ClassRef(OneCycleParamScheduler)

# (object on the unpickler stack, attribute) pairs MMEngine pickles through
# ``getattr``: protocol 2 saves functions with a dotted ``__qualname__`` as
# ``getattr(owner, name)``.  ``HistoryBuffer.__getstate__`` stores its
# statistics methods and ``OneCycleParamScheduler`` its ``anneal_func``.
_GETATTR_ALLOWLIST: Dict[int, Tuple[type, frozenset]] = {
    id(HistoryBuffer): (HistoryBuffer,
                        frozenset({'min', 'max', 'current', 'mean'})),
    id(_ONE_CYCLE_REF): (OneCycleParamScheduler,
                         frozenset({'_annealing_cos', '_annealing_linear'})),
}


def _restricted_getattr(obj: Any, name: str) -> Callable:
    """``builtins.getattr`` as seen by the unpickler: only the attributes of
    :data:`_GETATTR_ALLOWLIST`."""
    owner, names = _GETATTR_ALLOWLIST.get(id(obj), (None, frozenset()))
    if owner is None or name not in names:
        raise pickle.UnpicklingError(
            f'getattr({obj!r}, {name!r}) is not in the checkpoint allowlist '
            'of mmtrack_ext')
    return getattr(owner, name)


def _numpy_globals() -> Dict[str, Any]:
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        return {}
    try:  # numpy >= 2
        from numpy._core import multiarray
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core import multiarray
    out = {'numpy.ndarray': np.ndarray, 'numpy.dtype': np.dtype}
    # numpy 1.x writes ``numpy.core``, numpy 2.x ``numpy._core``: accept both
    for mod in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        out[f'{mod}._reconstruct'] = multiarray._reconstruct
        out[f'{mod}.scalar'] = multiarray.scalar
    # numpy >= 1.25 gives every dtype its own class (``numpy.dtypes.*DType``)
    # that the unpickler must accept when it restores a dtype's state: the
    # boolean, numeric, string, bytes and datetime kinds (no object / void).
    for code in '?bBhHiIlLqQefdgFDGSUMm':
        cls = type(np.dtype(code))
        if cls is not np.dtype:
            out[f'{cls.__module__}.{cls.__qualname__}'] = cls
    return out


def _build_allowlist() -> Dict[str, Any]:
    allow = {
        'mmengine.logging.history_buffer.HistoryBuffer': HistoryBuffer,
        'mmengine.optim.scheduler.param_scheduler.OneCycleParamScheduler':
        _ONE_CYCLE_REF,
        'builtins.getattr': _restricted_getattr,
    }
    allow.update(_numpy_globals())
    return allow


#: Pickle globals (``module.qualname`` as written in a checkpoint) allowed on
#: top of torch's own ``weights_only`` set, and what each one resolves to.
MMENGINE_CHECKPOINT_GLOBALS: Dict[str, Any] = _build_allowlist()


# ---------------------------------------------------------------- trust list
def _norm(path: str) -> str:
    return osp.realpath(osp.abspath(osp.expanduser(path)))


def _trusted_paths() -> List[str]:
    value = os.environ.get(TRUSTED_CHECKPOINTS_ENV, '')
    return [_norm(p) for p in value.split(os.pathsep) if p.strip()]


def is_trusted_checkpoint(path: str) -> bool:
    """Whether ``path`` is listed in ``MMTRACK_EXT_TRUSTED_CHECKPOINTS``."""
    return _norm(path) in _trusted_paths()


def trust_checkpoint(path: str) -> str:
    """Mark one checkpoint file as trusted for this process (and the processes
    it starts): it will be loaded with ``weights_only=False``, i.e. as a full
    pickle that can run arbitrary code.

    Returns:
        str: the normalised path added to ``MMTRACK_EXT_TRUSTED_CHECKPOINTS``.
    """
    path = _norm(path)
    paths = _trusted_paths()
    if path not in paths:
        paths.append(path)
        os.environ[TRUSTED_CHECKPOINTS_ENV] = os.pathsep.join(paths)
    return path


# ---------------------------------------------------------- static inspection
def _pickle_streams(filename: str) -> List[bytes]:
    """The pickle byte streams of a ``torch.save`` file (zip or legacy)."""
    if zipfile.is_zipfile(filename):
        with zipfile.ZipFile(filename) as zf:
            return [
                zf.read(n) for n in zf.namelist()
                if n == 'data.pkl' or n.endswith('/data.pkl')
            ]
    with open(filename, 'rb') as f:
        data = f.read()
    # legacy format: magic, protocol, sys info, object, storage keys, raw data
    streams, buf = [], io.BytesIO(data)
    for _ in range(5):
        start = buf.tell()
        try:
            for op, _arg, _pos in pickletools.genops(buf):
                if op.name == 'STOP':
                    break
        except Exception:
            break
        streams.append(data[start:buf.tell()])
    return streams


def _globals_in_pickle(data: bytes) -> List[str]:
    """``module.name`` of every GLOBAL / STACK_GLOBAL, found without
    unpickling."""
    found, strings, memo = [], [], {}
    try:
        for op, arg, _pos in pickletools.genops(data):
            name = op.name
            if name in ('GLOBAL', 'INST'):
                found.append(arg.replace(' ', '.'))
            elif name in ('SHORT_BINUNICODE', 'BINUNICODE', 'BINUNICODE8',
                          'UNICODE', 'SHORT_BINSTRING', 'BINSTRING',
                          'STRING'):
                strings.append(arg)
            elif name in ('BINPUT', 'LONG_BINPUT', 'PUT'):
                if strings:
                    memo[arg] = strings[-1]
            elif name == 'MEMOIZE':
                if strings:
                    memo[len(memo)] = strings[-1]
            elif name in ('BINGET', 'LONG_BINGET', 'GET'):
                if arg in memo:
                    strings.append(memo[arg])
            elif name == 'STACK_GLOBAL' and len(strings) >= 2:
                found.append(f'{strings[-2]}.{strings[-1]}')
    except Exception:
        pass
    return found


def _torch_default_globals() -> Dict[str, Any]:
    try:
        from torch._weights_only_unpickler import _get_allowed_globals
        return dict(_get_allowed_globals())
    except Exception:  # pragma: no cover - very old torch
        return _minimal_torch_globals()


def _minimal_torch_globals() -> Dict[str, Any]:  # pragma: no cover
    import collections
    import torch._utils as tu
    out = {
        'collections.OrderedDict': collections.OrderedDict,
        'torch.Size': torch.Size,
        'torch.device': torch.device,
        '_codecs.encode': __import__('_codecs').encode,
    }
    for fn in ('_rebuild_tensor', '_rebuild_tensor_v2', '_rebuild_parameter',
               '_rebuild_parameter_with_state'):
        if hasattr(tu, fn):
            out[f'torch._utils.{fn}'] = getattr(tu, fn)
    for name in dir(torch):
        obj = getattr(torch, name, None)
        if isinstance(obj, torch.dtype):
            out[f'torch.{name}'] = obj
    return out


def find_unsafe_globals(filename: str) -> List[str]:
    """Globals of a checkpoint outside torch's ``weights_only`` set and
    :data:`MMENGINE_CHECKPOINT_GLOBALS`, by static inspection (nothing from
    the file is executed)."""
    allowed = set(_torch_default_globals()) | set(MMENGINE_CHECKPOINT_GLOBALS)
    found: List[str] = []
    for stream in _pickle_streams(filename):
        found.extend(_globals_in_pickle(stream))
    out = []
    for g in found:
        if g.startswith('__builtin__.'):  # protocol 2 spelling
            g = 'builtins.' + g[len('__builtin__.'):]
        if g not in allowed and g not in out:
            out.append(g)
    return out


# ------------------------------------------------------------------- loading
@functools.lru_cache(maxsize=None)
def _torch_supports_named_safe_globals() -> bool:
    """torch >= 2.6: ``safe_globals`` accepts ``(object, 'module.name')``."""
    ser = torch.serialization
    if not hasattr(ser, 'safe_globals'):
        return False
    probe_name = 'mmtrack_ext.engine.safe_checkpoint._probe'
    try:
        from torch._weights_only_unpickler import _get_user_allowed_globals
        with ser.safe_globals([(_restricted_getattr, probe_name)]):
            return _get_user_allowed_globals().get(
                probe_name) is _restricted_getattr
    except Exception:
        return False


class _RestrictedUnpickler(pickle.Unpickler):
    """Fallback for older torch: a ``pickle`` unpickler that resolves only
    torch's ``weights_only`` globals and :data:`MMENGINE_CHECKPOINT_GLOBALS`.
    """

    _allowed: Dict[str, Any] = {}

    def find_class(self, module: str, name: str) -> Any:
        full = f'{module}.{name}'
        if full.startswith('__builtin__.'):
            full = 'builtins.' + name
        if full in self._allowed:
            return self._allowed[full]
        raise pickle.UnpicklingError(
            f'Unsupported global: GLOBAL {full} is not in the checkpoint '
            'allowlist of mmtrack_ext')


class _RestrictedPickleModule:
    """``pickle_module`` for :func:`torch.load` using
    :class:`_RestrictedUnpickler`."""
    Unpickler = _RestrictedUnpickler
    UnpicklingError = pickle.UnpicklingError
    __name__ = 'mmtrack_ext_restricted_pickle'

    @staticmethod
    def load(file, **kwargs):
        return _RestrictedUnpickler(file, **kwargs).load()

    @staticmethod
    def loads(data, **kwargs):
        return _RestrictedUnpickler(io.BytesIO(data), **kwargs).load()


def _short_reason(error: Exception) -> str:
    """The core line of torch's (long) ``weights_only`` error message."""
    lines = [ln.strip() for ln in str(error).splitlines() if ln.strip()]
    key = 'WeightsUnpickler error:'
    for i, line in enumerate(lines):
        if key in line:
            rest = line.split(key, 1)[1].strip()
            return rest or (lines[i + 1] if i + 1 < len(lines) else line)
    return lines[0] if lines else repr(error)


def _refuse(filename: str, error: Exception) -> UnsafeCheckpointError:
    try:
        offending = find_unsafe_globals(filename)
    except Exception:  # unreadable file: report torch's error only
        offending = []
    what = (f'it needs the global(s) {", ".join(offending)}, which are '
            if offending else 'it needs pickle features ')
    return UnsafeCheckpointError(
        f'Refusing to load checkpoint {filename!r}: {what}outside the '
        'weights_only allowlist of mmtrack_ext (torch tensors plus the '
        'globals MMEngine writes). Unpickling it could execute arbitrary '
        'code, so nothing from it was run. If you trust this file, pass '
        '--trust-checkpoint to tools/train.py or tools/test.py, or add its '
        f'path to the environment variable {TRUSTED_CHECKPOINTS_ENV} '
        f'(separated by {os.pathsep!r}), or call '
        'mmtrack_ext.engine.trust_checkpoint(path); it is then loaded with '
        f'weights_only=False. (unpickler: {_short_reason(error)})')


@functools.lru_cache(maxsize=None)
def _torch_load_has_weights_only() -> bool:
    import inspect
    try:
        return 'weights_only' in inspect.signature(torch.load).parameters
    except (TypeError, ValueError):  # pragma: no cover
        return False


def safe_torch_load(filename: str,
                    map_location: Any = None,
                    trusted: Optional[bool] = None,
                    use_weights_only: Optional[bool] = None) -> Any:
    """Load a local ``torch.save`` file, refusing unexpected globals.

    Args:
        filename: path of the checkpoint.
        map_location: as in :func:`torch.load`.
        trusted: load with ``weights_only=False`` (a full pickle). ``None``
            (default) asks :func:`is_trusted_checkpoint`.
        use_weights_only: force (``True``) or avoid (``False``) torch's
            ``weights_only`` unpickler for untrusted files; ``None`` uses it
            where torch supports named allowlists (>= 2.6) and the restricted
            ``pickle`` unpickler otherwise.

    Raises:
        UnsafeCheckpointError: the file is untrusted and needs a global
            outside torch's ``weights_only`` set and
            :data:`MMENGINE_CHECKPOINT_GLOBALS`.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    # torch < 1.13 has no ``weights_only`` and always loads full pickles
    kwargs = ({'weights_only': False}
              if _torch_load_has_weights_only() else {})
    if trusted is None:
        trusted = is_trusted_checkpoint(filename)
    if trusted:
        print_log(
            f'Loading trusted checkpoint {filename} with weights_only=False '
            '(a full pickle, which may run code from the file).',
            logger='current')
        return torch.load(filename, map_location=map_location, **kwargs)

    if use_weights_only is None:
        use_weights_only = _torch_supports_named_safe_globals()
    if use_weights_only:
        named = [(obj, name)
                 for name, obj in MMENGINE_CHECKPOINT_GLOBALS.items()]
        try:
            with torch.serialization.safe_globals(named):
                return torch.load(
                    filename, map_location=map_location, weights_only=True)
        except pickle.UnpicklingError as e:
            raise _refuse(filename, e) from None

    _RestrictedUnpickler._allowed = {
        **_torch_default_globals(), **MMENGINE_CHECKPOINT_GLOBALS
    }
    try:  # weights_only=False: the restricted unpickler is the guard
        return torch.load(
            filename,
            map_location=map_location,
            pickle_module=_RestrictedPickleModule,
            **kwargs)
    except pickle.UnpicklingError as e:
        raise _refuse(filename, e) from None


def load_from_local_weights_only(filename: str, map_location: Any = None):
    """MMEngine ``CheckpointLoader`` backend for local paths: load with
    :func:`safe_torch_load` (``weights_only`` plus the MMEngine allowlist,
    ``weights_only=False`` only for trusted files)."""
    return safe_torch_load(filename, map_location=map_location)


def install_safe_checkpoint_loader() -> None:
    """Make :func:`load_from_local_weights_only` MMEngine's loader for local
    paths (the ``''`` prefix; URL schemes keep their loaders).  Idempotent;
    called when :mod:`mmtrack_ext.engine` is imported."""
    if CheckpointLoader._schemes.get('') is not load_from_local_weights_only:
        CheckpointLoader.register_scheme(
            prefixes='', loader=load_from_local_weights_only, force=True)
