"""Sequence tables shipped with the package and frame-folder checks.

Benchmarks whose sequences cannot be derived from the files on disk (OTB100:
annotated frame ranges, multi-target folders; UAV123: sub-sequences cut from
longer videos) are described by JSON tables in ``mmtrack_ext/datasets/meta``.
Each table has a ``sources`` entry naming where its facts come from.
"""
import difflib
import json
import os
import os.path as osp
from typing import Iterable, List, Optional, Sequence, Tuple, Union

from .errors import AnnotationError
from .parsing import read_name_list

__all__ = ['META_DIR', 'load_benchmark_meta', 'select_sequences',
           'find_missing_frame']

META_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'meta')


def load_benchmark_meta(name: str) -> dict:
    """The table ``meta/{name}.json`` (a fresh copy on every call).

    Raises:
        FileNotFoundError: no table of that name ships with the package.
    """
    path = osp.join(META_DIR, f'{name}.json')
    if not osp.isfile(path):
        available = sorted(fn[:-5] for fn in os.listdir(META_DIR)
                           if fn.endswith('.json'))
        raise FileNotFoundError(
            f'no benchmark table {path}; available: {available}')
    with open(path, encoding='utf-8') as f:
        return json.load(f)


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
