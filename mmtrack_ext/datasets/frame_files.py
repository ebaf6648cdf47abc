"""Discovery of the frame files of a sequence folder, with clear errors.

Benchmarks name frames in two ways:

* numbered files (GOT-10k / LaSOT ``00000001.jpg``, NfS ``00001.jpg``,
  TrackingNet ``0.jpg``): :func:`count_numbered_frames` checks that the
  numbers form an unbroken run and returns its length, so the loaders can
  describe frames by a ``%``-template instead of storing every path;
* free names (TNL2K, whose numbering and extension vary per sequence):
  :func:`list_image_files` returns them in natural order.
"""
import os
import os.path as osp
import re
from typing import (Iterable, List, Optional, Pattern, Sequence, Tuple,
                    Union)

from .errors import AnnotationError

__all__ = ['count_numbered_frames', 'list_image_files', 'natural_key',
           'open_sequence_folder']

_DIGITS = re.compile(r'(\d+)')


def _listdir(folder: str) -> List[str]:
    if not osp.isdir(folder):
        raise FileNotFoundError(f'frame folder not found: {folder}')
    return os.listdir(folder)


def count_numbered_frames(folder: str,
                          pattern: Union[str, Pattern],
                          name_fmt: str,
                          first: int = 1,
                          expected: Optional[int] = None,
                          names: Optional[Iterable[str]] = None) -> int:
    """Number of frames ``name_fmt % first``, ``name_fmt % (first + 1)`` ...

    Args:
        folder: the frame folder.
        pattern: regular expression matching a frame's file name, with the
            frame number as group 1 (names that do not match are ignored).
        name_fmt: ``%``-format of a frame's file name from its number (for
            messages and for the loaders' ``frame_template``).
        first: number of the first frame (1 or 0).
        expected: when given, frames ``first .. first + expected - 1`` must
            all exist (further frames are allowed and ignored) and
            ``expected`` is returned; otherwise the numbers found must form
            one unbroken run starting at ``first``.
        names: the file names of ``folder`` when the caller has listed it
            already (saves listing it again).

    Returns:
        int: the number of frames.

    Raises:
        FileNotFoundError: the folder or a frame inside the run is missing.
        AnnotationError: the folder holds no frame at all.
    """
    pattern = re.compile(pattern) if isinstance(pattern, str) else pattern
    numbers = sorted({
        int(m.group(1))
        for m in map(pattern.match,
                     _listdir(folder) if names is None else names) if m
    })
    if not numbers:
        raise AnnotationError(
            f'{folder}: sequence has no frames (expected {name_fmt % first}, '
            f'{name_fmt % (first + 1)}, ...)')
    count = len(numbers) if expected is None else int(expected)
    last = first + count - 1
    inside = sum(first <= n <= last for n in numbers)
    if inside != count:
        present = set(numbers)
        missing = next(i for i in range(first, last + 1) if i not in present)
        wanted = ('' if expected is None else
                  f'; the sequence has {count} frames')
        raise FileNotFoundError(
            f'{folder}: frame {name_fmt % missing} is missing (found '
            f'{len(numbers)} frames numbered {numbers[0]}..{numbers[-1]}'
            f'{wanted})')
    return count


def natural_key(name: str) -> Tuple:
    """Sort key comparing digit runs as numbers (``'9.png' < '10.png'``);
    the same order as plain sorting for zero-padded names."""
    return tuple(int(t) if t.isdigit() else t
                 for t in _DIGITS.split(name))


def list_image_files(folder: str,
                     extensions: Sequence[str] = ('.jpg', '.jpeg', '.png',
                                                  '.bmp')) -> List[str]:
    """Paths of the images of ``folder`` (extension case-insensitive) in
    natural order of their names (:func:`natural_key`).

    Raises:
        FileNotFoundError: the folder does not exist.
        AnnotationError: it holds no image.
    """
    exts = tuple(e.lower() for e in extensions)
    names = sorted((n for n in _listdir(folder)
                    if n.lower().endswith(exts) and not n.startswith('.')),
                   key=natural_key)
    if not names:
        raise AnnotationError(
            f'{folder}: sequence has no frames (no {"/".join(exts)} files)')
    return [osp.join(folder, n) for n in names]


def open_sequence_folder(seq_dir: str, where: str,
                         ann_name: str = 'groundtruth.txt'
                         ) -> Tuple[set, str]:
    """File names of a sequence folder and the path of its annotation file.

    Args:
        seq_dir: the sequence folder.
        where: where the sequence is listed (e.g. ``'list.txt, line 3'``),
            for the error.
        ann_name: annotation file that must be in the folder.

    Raises:
        FileNotFoundError: the folder or its annotation file is missing.
    """
    if not osp.isdir(seq_dir):
        raise FileNotFoundError(
            f'{where}: sequence folder {seq_dir} does not exist')
    files = set(os.listdir(seq_dir))
    ann_file = osp.join(seq_dir, ann_name)
    if ann_name not in files:
        raise FileNotFoundError(f'annotation file not found: {ann_file}')
    return files, ann_file
