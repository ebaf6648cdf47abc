"""Registry of named SOT evaluation protocols and the generic entry point.

A *protocol* turns per-sequence predictions and annotations into metrics,
reproducing one official toolkit (see the docstring of each protocol module
and ``docs/evaluation.md``). Callers only use :func:`evaluate_sequences`; a
new protocol (e.g. ``vot2020``) is added with :func:`register_protocol`
without touching them. :data:`DEFAULT_PROTOCOLS` names the protocol papers
report per benchmark.

Input of every protocol: a mapping ``{sequence_name: sequence_dict}`` where a
sequence dict holds numpy arrays (lists are accepted) with boxes in ``xywh``
(left, top, width, height) pixels, row ``i`` = frame ``i`` (row 0 = the
initialisation frame):

- ``pred``: ``(N, 4)`` predictions; the ``got10k`` protocol also accepts
  repetitions as ``(R, N, 4)`` or a list of ``(N, 4)`` arrays.
- ``gt``: ``(N, 4)`` ground truth.
- optional per-frame flags ``cover`` ``(N,)`` (GOT-10k ``cover.label``, 0..8,
  -1 unknown), ``absent`` ``(N,)`` (1 absent, 0 present, -1 unknown; the
  LaSOT toolkit's ``absent`` flags), ``target_visible`` ``(N,)`` bool
  (pytracking's visibility, ``full_occlusion == 0 & out_of_view == 0``),
  ``times`` ``(N,)`` seconds per frame;
- optional ``resolution``: ``(W, H)`` image size in pixels (width first, as
  in GOT-10k ``meta_info.ini``).

Output: ``{'overall': {metric: float}, 'per_sequence': {name: {metric:
float}}, 'curves': {...}}``; metrics are fractions in ``[0, 1]``.
"""
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Sequence, Tuple

import numpy as np

__all__ = [
    'SOTProtocol', 'SOT_PROTOCOLS', 'register_protocol', 'get_protocol',
    'list_protocols', 'evaluate_sequences', 'DEFAULT_PROTOCOLS',
    'DEFAULT_PROTOCOL_OPTIONS', 'default_protocol'
]


@dataclass(frozen=True)
class SOTProtocol:
    """A named evaluation protocol.

    Attributes:
        name: registry key, e.g. ``'got10k'``.
        fn: ``fn(sequences, **options) -> {'overall', 'per_sequence',
            'curves'}``.
        metric_keys: keys of ``result['overall']`` that are the protocol's
            headline metrics (fractions in ``[0, 1]``), in display order.
        description: one line saying which toolkit it reproduces.
        defaults: default keyword options passed to ``fn``.
    """
    name: str
    fn: Callable[..., dict]
    metric_keys: Tuple[str, ...]
    description: str = ''
    defaults: Mapping = field(default_factory=dict)

    def __call__(self, sequences: Mapping[str, Mapping], **options) -> dict:
        kwargs = dict(self.defaults)
        kwargs.update(options)
        return self.fn(sequences, **kwargs)


SOT_PROTOCOLS: Dict[str, SOTProtocol] = {}


def register_protocol(name: str,
                      metric_keys: Sequence[str],
                      description: str = '',
                      force: bool = False,
                      **defaults) -> Callable:
    """Decorator registering ``fn(sequences, **options)`` as protocol ``name``.

    Extra keyword arguments become the protocol's default options, so one
    function can back several flavours::

        register_protocol('ostrack', OPE_KEYS, flavour='ostrack')(evaluate_ope)
    """

    def _register(fn: Callable) -> Callable:
        if name in SOT_PROTOCOLS and not force:
            raise KeyError(f'SOT protocol {name!r} is already registered')
        SOT_PROTOCOLS[name] = SOTProtocol(
            name=name,
            fn=fn,
            metric_keys=tuple(metric_keys),
            description=description,
            defaults=dict(defaults))
        return fn

    return _register


def get_protocol(name: str) -> SOTProtocol:
    """The registered :class:`SOTProtocol` called ``name``."""
    try:
        return SOT_PROTOCOLS[name]
    except KeyError:
        raise KeyError(f'unknown SOT protocol {name!r}; registered: '
                       f'{sorted(SOT_PROTOCOLS)}') from None


def list_protocols() -> List[str]:
    """Names of the registered protocols, sorted."""
    return sorted(SOT_PROTOCOLS)


def evaluate_sequences(protocol: str, sequences: Mapping[str, Mapping],
                       **options) -> dict:
    """Evaluate per-sequence results with a named protocol.

    Args:
        protocol: a registered name: ``'got10k'``, ``'ostrack'``,
            ``'pytracking'``, ``'uav'``, ``'otb'``, ``'lasot_matlab'``,
            ``'trackingnet'`` (see :func:`list_protocols`).
        sequences: ``{name: {'pred': (N, 4), 'gt': (N, 4), ...}}`` in
            ``xywh`` pixels (see the module docstring for optional keys).
        **options: protocol options, e.g. ``exclude_invalid_frames=True``
            or ``dataset='lasot'`` for ``ostrack`` / ``pytracking``,
            ``drop_nan_gt=True`` for ``otb`` (see
            :func:`~.ope.evaluate_ope`).

    Returns:
        ``{'overall': {metric: float}, 'per_sequence': {name: {metric:
        float}}, 'curves': {name: np.ndarray, ...}}``. Metrics are fractions in
        ``[0, 1]`` (``got10k``: ``AO``, ``SR0.5``, ``SR0.75``; OPE: ``AUC``,
        ``P``, ``P_norm``, ``OP50``, ``OP75``).
    """
    return get_protocol(protocol)(sequences, **options)


#: Default protocol per benchmark: the toolkit whose numbers papers report
#: for it (``docs/evaluation.md`` explains each choice and what the other
#: protocols do differently). ``vot2020`` is the anchor-based VOT protocol
#: (EAO, A, R), registered by its own module.
DEFAULT_PROTOCOLS: Dict[str, str] = {
    'got10k': 'got10k',
    'lasot': 'ostrack',
    'lasot_ext': 'ostrack',
    'trackingnet': 'trackingnet',
    'uav123': 'uav',
    'nfs': 'ostrack',
    'otb100': 'ostrack',
    'tnl2k': 'ostrack',
    'vot2020': 'vot2020',
}

#: Options that go with :data:`DEFAULT_PROTOCOLS` (benchmarks not listed
#: take none). pytracking and its STARK/OSTrack fork switch on the
#: sequence's dataset name: ``'lasot'`` is their LaSOT mode (invisible
#: frames fail every metric, short results raise); LaSOT_ext sequences are
#: named ``'lasot_extension_subset'``, so there visibility only enters the
#: validity (invisible frames are normalised-precision hits).
DEFAULT_PROTOCOL_OPTIONS: Dict[str, Dict] = {
    'lasot': {'dataset': 'lasot'},
    'lasot_ext': {'dataset': 'lasot_extension_subset'},
}


def default_protocol(benchmark: str) -> Tuple[str, dict]:
    """``(protocol name, options)`` papers use for ``benchmark``.

    Args:
        benchmark: a key of :data:`DEFAULT_PROTOCOLS` (``'lasot'``,
            ``'uav123'`` ...), case-insensitive.
    """
    key = benchmark.lower()
    if key not in DEFAULT_PROTOCOLS:
        raise KeyError(f'no default protocol for benchmark {benchmark!r}; '
                       f'known: {sorted(DEFAULT_PROTOCOLS)}')
    return DEFAULT_PROTOCOLS[key], dict(DEFAULT_PROTOCOL_OPTIONS.get(key, {}))


# --------------------------------------------------------------------------
# helpers shared by the protocol implementations


def as_boxes(value, seq: str, key: str) -> np.ndarray:
    """``value`` as a float64 ``(N, 4)`` array; clear error otherwise."""
    if value is None:
        raise ValueError(f'sequence {seq!r}: {key!r} is missing')
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, 4)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f'sequence {seq!r}: {key!r} must have shape (N, 4) '
                         f'(x, y, w, h per frame), got {arr.shape}')
    return arr


def as_flags(value, seq: str, key: str, length: int,
             fill) -> np.ndarray:
    """Per-frame flags of ``length`` (``fill`` where ``value`` is None)."""
    if value is None:
        return np.full(length, fill)
    arr = np.asarray(value).reshape(-1)
    if arr.shape[0] != length:
        raise ValueError(f'sequence {seq!r}: {key!r} has {arr.shape[0]} '
                         f'entries, expected one per GT frame ({length})')
    return arr


def check_sequences(sequences: Mapping[str, Mapping]) -> None:
    if not isinstance(sequences, Mapping):
        raise TypeError('sequences must be a mapping {name: sequence dict}, '
                        f'got {type(sequences).__name__}')
    for name, seq in sequences.items():
        if not isinstance(seq, Mapping):
            raise TypeError(f'sequence {name!r}: expected a dict with '
                            f"'pred' and 'gt', got {type(seq).__name__}")


def segment_counts_above(values: np.ndarray,
                         seg: np.ndarray,
                         n_seg: int,
                         thresholds: np.ndarray,
                         inclusive: bool = False) -> np.ndarray:
    """``counts[s, j] = #{i in segment s: values[i] > thresholds[j]}``.

    With ``inclusive=True`` the comparison is ``>=``. Vectorised with one
    ``searchsorted`` instead of an ``(N, T)`` comparison; ``thresholds``
    must be sorted. NaN is never above a threshold (as ``np.greater``).
    """
    t = len(thresholds)
    # k = number of thresholds below (strict: < value; inclusive: <= value)
    k = np.searchsorted(thresholds, values,
                        side='right' if inclusive else 'left')
    k[np.isnan(values)] = 0
    hist = np.bincount(seg * (t + 1) + k, minlength=n_seg * (t + 1))
    hist = hist.reshape(n_seg, t + 1)
    # value > thr_j (or >=)  <=>  k > j
    return np.cumsum(hist[:, ::-1], axis=1)[:, ::-1][:, 1:]


def segment_counts_at_most(values: np.ndarray, seg: np.ndarray, n_seg: int,
                           thresholds: np.ndarray) -> np.ndarray:
    """``counts[s, j] = #{i in segment s: values[i] <= thresholds[j]}``.

    NaN is never ``<=`` a threshold (as ``np.less_equal``).
    """
    t = len(thresholds)
    k = np.searchsorted(thresholds, values, side='left')  # #thr < value
    k[np.isnan(values)] = t
    hist = np.bincount(seg * (t + 1) + k, minlength=n_seg * (t + 1))
    hist = hist.reshape(n_seg, t + 1)
    # value <= thr_j  <=>  k <= j
    return np.cumsum(hist, axis=1)[:, :t]
