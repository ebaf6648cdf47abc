"""Protocol guard: refuse configs whose training data breaks the protocol of
the benchmark they are tested on.

Checked on the dataset configs alone (nothing is read from the data folders
except sequence-list files named by the config), by ``tools/train.py`` and
``tools/test.py`` before anything is built:

1. **GOT-10k one-shot protocol** (``got10k_one_shot``): a config that tests
   (``test_dataloader`` or ``val_dataloader``) on the GOT-10k *test* split
   may train on GOT-10k *train* only (``GOT10kDataset(split='train')``,
   subsets and exclusions allowed). Any other training source (LaSOT,
   TrackingNet, COCO, ImageNet VID, GOT-10k val ...) is refused: the test
   server's numbers are only comparable under this rule.
2. **Overlap** (``overlap``): a training dataset that holds sequences of
   the test set. LaSOT and LaSOT_ext compare sequence names (the splits
   ship with the package; ``sequence_list`` lists or files are read), e.g.
   ``LaSOTDataset(split='all')`` for training while testing on the LaSOT
   test split; other datasets of the same type, folder and split are the
   same sequences (and their ``sequence_list`` names are compared when both
   are given).
3. **VOT exclusion** (``vot_exclusion``): when the test dataset is
   ``VOT2020Dataset``, GOT-10k training sets must drop the 1000 sequences
   the VOT challenges forbid (``GOT10kDataset(vot_exclude=True)``, or a
   ``sequence_list`` / ``exclude_sequences`` that leaves none of them).

A config can opt out with ``protocol_guard = False`` (e.g. ``--cfg-options
protocol_guard=False``): the violations are then logged as a warning.
Note that ``tools/test.py`` can only check the config it is given, not the
data the checkpoint was trained on.
"""
import logging
import os.path as osp
from dataclasses import dataclass
from typing import Iterator, List, Optional, Set, Tuple

from mmengine.logging import print_log

__all__ = [
    'ProtocolViolation', 'ProtocolGuardError', 'iter_dataset_cfgs',
    'check_protocol', 'protocol_guard'
]

_LASOT_TYPES = ('LaSOTDataset', 'LaSOTExtDataset')


@dataclass(frozen=True)
class ProtocolViolation:
    """One broken rule.

    Attributes:
        rule: ``'got10k_one_shot'``, ``'overlap'`` or ``'vot_exclusion'``.
        train: config path of the training dataset, e.g.
            ``'train_dataloader.dataset.datasets[1]'``.
        test: config path of the test dataset.
        message: what is wrong, naming both.
    """
    rule: str
    train: str
    test: str
    message: str


class ProtocolGuardError(ValueError):
    """A config breaks a benchmark protocol (see :func:`check_protocol`)."""


def _type_name(cfg) -> str:
    t = cfg.get('type', '')
    return t.__name__ if isinstance(t, type) else str(t).split('.')[-1]


def iter_dataset_cfgs(cfg, path: str) -> Iterator[Tuple[str, dict]]:
    """``(path, config)`` of the leaf datasets of a dataset config: wrappers
    with ``datasets`` (``SOTPairDataset``, ``ConcatDataset``) or ``dataset``
    (``RepeatDataset`` ...) are walked into."""
    if cfg is None or not hasattr(cfg, 'get'):
        return
    if isinstance(cfg.get('datasets'), (list, tuple)):
        for i, sub in enumerate(cfg['datasets']):
            yield from iter_dataset_cfgs(sub, f'{path}.datasets[{i}]')
    elif hasattr(cfg.get('dataset'), 'get'):
        yield from iter_dataset_cfgs(cfg['dataset'], f'{path}.dataset')
    elif cfg.get('type') is not None:
        yield path, cfg


def _loader_datasets(cfg, loader: str) -> List[Tuple[str, dict]]:
    dl = cfg.get(loader)
    if dl is None or not hasattr(dl, 'get'):
        return []
    return list(iter_dataset_cfgs(dl.get('dataset'), f'{loader}.dataset'))


def _describe(d) -> str:
    parts = [_type_name(d)]
    for key in ('split', 'data_root'):
        if d.get(key) is not None:
            parts.append(f'{key}={d.get(key)!r}')
    return ' '.join(parts)


def _root(d) -> Optional[str]:
    root = d.get('data_root')
    return None if not root else osp.normpath(
        osp.abspath(osp.expanduser(str(root))))


def _same_root(a, b) -> bool:
    ra, rb = _root(a), _root(b)
    return ra is None or rb is None or ra == rb


def _listed(spec, root: Optional[str]) -> Optional[Set[str]]:
    """Names of a ``sequence_list``-style argument (list or file), or
    ``None`` when a file cannot be read."""
    from mmtrack_ext.datasets.parsing import names_from_spec
    if spec is None:
        return None
    if isinstance(spec, str):
        path = spec if osp.isabs(spec) else osp.join(root or '', spec)
        if not osp.isfile(path):
            return None
    return {n for _, n in names_from_spec(spec, root or '')[1]}


def _lasot_names(d) -> Optional[Set[str]]:
    from mmtrack_ext.datasets import LaSOTDataset, LaSOTExtDataset
    from mmtrack_ext.datasets.benchmark_meta import read_meta_names
    if d.get('sequence_list') is not None:
        return _listed(d.get('sequence_list'), d.get('data_root'))
    cls = LaSOTDataset if _type_name(d) == 'LaSOTDataset' else \
        LaSOTExtDataset
    split = d.get('split', 'test')
    if split not in cls.SPLITS:
        return None
    return {n for fn in cls.SPLITS[split] for _, n in read_meta_names(fn)}


def _got10k_names(d) -> Tuple[Optional[Set[str]], Set[str]]:
    """(listed names or None for the whole split, excluded names)."""
    from mmtrack_ext.datasets.benchmark_meta import read_meta_names
    names = _listed(d.get('sequence_list'), d.get('data_root'))
    excluded = _listed(d.get('exclude_sequences'), d.get('data_root')) or \
        set()
    if d.get('vot_exclude'):
        excluded |= {n for _, n in read_meta_names('got10k_vot_exclude.txt')}
    return names, excluded


def _sample(names, limit: int = 5) -> str:
    names = sorted(names)
    more = f' ... ({len(names)} in all)' if len(names) > limit else ''
    return ', '.join(names[:limit]) + more


def _overlap(train, test) -> Optional[str]:
    """Why ``train`` holds sequences of ``test`` (or ``None``)."""
    t_train, t_test = _type_name(train), _type_name(test)
    if t_train in _LASOT_TYPES and t_test in _LASOT_TYPES:
        a, b = _lasot_names(train), _lasot_names(test)
        if a is None or b is None:
            return None
        common = a & b
        return (f'{len(common)} of its sequences are test sequences '
                f'({_sample(common)})') if common else None
    if t_train != t_test or not _same_root(train, test):
        return None
    if train.get('split') != test.get('split'):
        return None
    if all(d.get(k) is None for d in (train, test)
           for k in ('data_root', 'split', 'sequence_list')):
        return None  # nothing says what they read (e.g. in-memory data)
    if t_train == 'GOT10kDataset':
        (a, ex_a), (b, ex_b) = _got10k_names(train), _got10k_names(test)
    else:
        a = _listed(train.get('sequence_list'), train.get('data_root'))
        b = _listed(test.get('sequence_list'), test.get('data_root'))
        ex_a = ex_b = set()
    if a is not None and b is not None:
        common = (a - ex_a) & (b - ex_b)
        return (f'{len(common)} of its sequences are test sequences '
                f'({_sample(common)})') if common else None
    return (f'it reads the same {t_train} split '
            f'({test.get("split")!r}) as the test set')


def _vot_forbidden_left(d) -> Set[str]:
    """The VOT-forbidden GOT-10k sequences a training config may keep."""
    from mmtrack_ext.datasets.benchmark_meta import read_meta_names
    forbidden = {n for _, n in read_meta_names('got10k_vot_exclude.txt')}
    names, excluded = _got10k_names(d)
    return (forbidden if names is None else forbidden & names) - excluded


def check_protocol(cfg) -> List[ProtocolViolation]:
    """The protocol violations of a config (see the module docstring).

    Args:
        cfg: a config (``mmengine.Config`` or dict) with
            ``train_dataloader`` and ``test_dataloader`` /
            ``val_dataloader``; missing loaders are skipped.

    Returns:
        list of :class:`ProtocolViolation` (empty: nothing found).
    """
    train = _loader_datasets(cfg, 'train_dataloader')
    tests, seen = [], []
    for loader in ('test_dataloader', 'val_dataloader'):
        for path, d in _loader_datasets(cfg, loader):
            if any(d == other for other in seen):
                continue  # test_dataloader = val_dataloader
            seen.append(d)
            tests.append((path, d))
    out = []
    for test_path, test in tests:
        test_type = _type_name(test)
        if test_type == 'GOT10kDataset' and test.get('split') == 'test':
            for path, d in train:
                if _type_name(d) == 'GOT10kDataset' and \
                        d.get('split', 'train') == 'train':
                    continue
                out.append(ProtocolViolation(
                    'got10k_one_shot', path, test_path,
                    f'{test_path} is the GOT-10k test split, whose protocol '
                    'allows training on GOT-10k train only, but '
                    f'{path} is {_describe(d)}'))
        if test_type == 'VOT2020Dataset':
            for path, d in train:
                if _type_name(d) != 'GOT10kDataset' or \
                        d.get('split', 'train') != 'train':
                    continue
                left = _vot_forbidden_left(d)
                if left:
                    out.append(ProtocolViolation(
                        'vot_exclusion', path, test_path,
                        f'{test_path} is VOT2020, but {path} '
                        f'({_describe(d)}) keeps {len(left)} GOT-10k '
                        'sequences the VOT challenges forbid for training '
                        f'({_sample(left)}); set vot_exclude=True'))
        for path, d in train:
            why = _overlap(d, test)
            if why:
                out.append(ProtocolViolation(
                    'overlap', path, test_path,
                    f'{path} ({_describe(d)}) overlaps the test set '
                    f'{test_path} ({_describe(test)}): {why}'))
    return out


def protocol_guard(cfg, logger: str = 'current') -> List[ProtocolViolation]:
    """Refuse a config that breaks a benchmark protocol.

    Raises :class:`ProtocolGuardError` listing every violation, unless the
    config sets ``protocol_guard = False``; then they are logged as a
    warning and returned.
    """
    found = check_protocol(cfg)
    if not found:
        return found
    text = '\n'.join(f'- [{v.rule}] {v.message}' for v in found)
    if cfg.get('protocol_guard', True) is False:
        print_log(
            'protocol_guard=False: running although the config breaks the '
            f'benchmark protocol:\n{text}',
            logger=logger,
            level=logging.WARNING)
        return found
    raise ProtocolGuardError(
        f'the config breaks the benchmark protocol:\n{text}\n'
        'Fix the datasets, or set protocol_guard=False (e.g. --cfg-options '
        'protocol_guard=False) to run anyway.')
