"""Benchmark metadata shipped with the package (``datasets/meta/``) and
frame-folder checks.

Some benchmarks need facts that their download does not contain. They are
kept as data files next to this module:

- ``lasot_test.txt``: LaSOT protocol-II test split, 280 sequences (4 of
  each of the 70 categories), as listed by pytracking
  (``pytracking/evaluation/lasotdataset.py``);
- ``lasot_train.txt``: LaSOT protocol-II training split, 1120 sequences,
  the other 16 of every category (the same names as pytracking's
  ``ltr/data_specs/lasot_train_split.txt``);
- ``lasot_ext.txt``: LaSOT_ext, 150 sequences, 10 of each of 15 new
  categories (pytracking's ``lasotextensionsubsetdataset.py``);
- ``got10k_vot_exclude.txt``: the 1000 GOT-10k training sequences that the
  VOT challenges forbid for training (pytracking's
  ``ltr/data_specs/got10k_vot_exclude.txt``);
- ``nfs.json``: NfS 30 fps, per sequence the number of frames, object class
  and occlusion attribute (pytracking's ``endFrame``, ``object_class`` and
  ``occlusion`` in ``pytracking/evaluation/nfsdataset.py``).
- ``otb100.json`` / ``uav123.json``: sequence tables of benchmarks whose
  sequences cannot be derived from the files on disk (OTB100: annotated
  frame ranges, multi-target folders; UAV123: sub-sequences cut from longer
  videos); each table has a ``sources`` entry naming where its facts come
  from.
"""
import difflib
import json
import os
import os.path as osp
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

from .errors import AnnotationError
from .parsing import read_name_list

__all__ = ['META_DIR', 'meta_path', 'read_meta_names', 'load_meta_json',
           'load_benchmark_meta', 'select_sequences', 'find_missing_frame',
           'require_frame_range']

META_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'meta')


def meta_path(filename: str) -> str:
    """Path of a shipped metadata file.

    Raises:
        FileNotFoundError: no such file ships with the package (the
            available ones are listed).
    """
    path = osp.join(META_DIR, filename)
    if not osp.isfile(path):
        available = sorted(os.listdir(META_DIR)) if osp.isdir(META_DIR) \
            else []
        raise FileNotFoundError(
            f'benchmark metadata file not found: {path} (is the package '
            f'installed with its data files?); available: {available}')
    return path


def read_meta_names(filename: str) -> List[Tuple[int, str]]:
    """``(line, name)`` of a shipped name list (see
    :func:`~mmtrack_ext.datasets.parsing.read_name_list`)."""
    return read_name_list(meta_path(filename))


def load_meta_json(filename: str) -> dict:
    """Contents of a shipped JSON metadata file (a fresh copy every call)."""
    with open(meta_path(filename), encoding='utf-8') as f:
        return json.load(f)


def load_benchmark_meta(name: str) -> dict:
    """The table ``meta/{name}.json`` (see :func:`load_meta_json`)."""
    return load_meta_json(f'{name}.json')


def select_sequences(entries: Sequence[dict],
                     sequence_list: Optional[Union[str, Sequence[str]]],
                     data_root: str = '') -> List[dict]:
    """The table entries named by ``sequence_list``, in its order.

    Args:
        entries: table entries, each with a ``name``.
        sequence_list: ``None`` (all entries, table order), a list of names,
            or a text file with one name a line (relative paths are taken
            from ``data_root``).
        data_root: base of a relative ``sequence_list`` file.

    Raises:
        AnnotationError: a name is not in the table (the file and line, or
            the list position, is named) or is listed twice.
    """
    if sequence_list is None:
        return list(entries)
    if isinstance(sequence_list, str):
        source = sequence_list if osp.isabs(sequence_list) \
            else osp.join(data_root, sequence_list)
        names = [(f'{source}, line {ln}', n)
                 for ln, n in read_name_list(source)]
    else:
        source = 'sequence_list argument'
        names = [(f'{source}, item {i}', str(n))
                 for i, n in enumerate(sequence_list)]
    by_name = {e['name']: e for e in entries}
    out, seen = [], set()
    for where, name in names:
        if name not in by_name:
            close = difflib.get_close_matches(name, list(by_name), n=3)
            raise AnnotationError(
                f'{where}: unknown sequence {name!r}'
                + (f' (did you mean {", ".join(close)}?)' if close else ''))
        if name in seen:
            raise AnnotationError(f'{where}: {name!r} listed twice')
        seen.add(name)
        out.append(by_name[name])
    if not out:
        raise AnnotationError(f'{source}: no sequences listed')
    return out


def find_missing_frame(frame_dir: str, template: str,
                       numbers: Iterable[int],
                       listing: Optional[set] = None
                       ) -> Optional[Tuple[int, str]]:
    """The first frame file of ``numbers`` absent from ``frame_dir``.

    Args:
        frame_dir: folder of the frames.
        template: ``%``-format of a frame file name, e.g. ``'%04d.jpg'``.
        numbers: frame numbers that must exist.
        listing: the folder's file names when already listed.

    Returns:
        ``(number, path)`` of the first missing frame, or ``None``.
    """
    files = set(os.listdir(frame_dir)) if listing is None else listing
    for number in numbers:
        name = template % number
        if name not in files:
            return number, osp.join(frame_dir, name)
    return None


def require_frame_range(frame_dir: str, template: str, first: int,
                        last: int, listings: Dict[str, set],
                        what: str) -> None:
    """Check that frames ``first..last`` (``template % number``) exist.

    Args:
        frame_dir: folder of the frames.
        template: ``%``-format of a frame file name.
        first, last: inclusive frame-number range.
        listings: cache ``{folder: file names}`` shared by the sequences of
            one dataset (several sequences may cut one folder).
        what: the sequence, for the error.

    Raises:
        FileNotFoundError: the first missing frame, named with ``what``.
    """
    if frame_dir not in listings:
        listings[frame_dir] = set(os.listdir(frame_dir))
    missing = find_missing_frame(frame_dir, template, range(first, last + 1),
                                 listings[frame_dir])
    if missing is not None:
        raise FileNotFoundError(
            f'{what} (frames {first}-{last}): frame {missing[1]} is missing')
