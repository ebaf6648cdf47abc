"""Strict readers of the text files that SOT benchmarks ship.

Every reader reports problems as :class:`~mmtrack_ext.datasets.errors.
AnnotationError` naming the file and the 1-based line, so a broken download
is found in seconds. A fast vectorised path handles well-formed files; only
when it fails are the lines re-read one by one to locate the problem.
"""
import os.path as osp
import re
from typing import Iterable, List, Optional, Tuple

import numpy as np

from .errors import AnnotationError

__all__ = ['read_text_lines', 'read_name_list', 'load_number_table',
           'load_label_file']

_SEPARATORS = re.compile(r'[,\s]+')


def read_text_lines(path: str) -> List[str]:
    """Lines of a text file without line endings (missing file: clear error).

    Raises:
        FileNotFoundError: the file does not exist.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'file not found: {path}')
    with open(path, encoding='utf-8', errors='replace') as f:
        return f.read().splitlines()


def read_name_list(path: str) -> List[Tuple[int, str]]:
    """Names listed one per line, as ``(line_number, name)`` (1-based).

    Blank lines are ignored; surrounding white space is stripped.

    Raises:
        FileNotFoundError: the file does not exist.
        AnnotationError: a name is listed twice or contains white space.
    """
    out, seen = [], {}
    for ln, line in enumerate(read_text_lines(path), 1):
        name = line.strip()
        if not name:
            continue
        if len(name.split()) != 1:
            raise AnnotationError(
                f'{path}, line {ln}: expected one name, got {line!r}')
        if name in seen:
            raise AnnotationError(
                f'{path}, line {ln}: {name!r} already listed on line '
                f'{seen[name]}')
        seen[name] = ln
        out.append((ln, name))
    return out


def _nonblank(lines: Iterable[str]) -> List[Tuple[int, str]]:
    rows = [(ln, line.strip()) for ln, line in enumerate(lines, 1)]
    # trailing blank lines are tolerated, blank lines inside are not
    while rows and not rows[-1][1]:
        rows.pop()
    return rows


def load_number_table(path: str, num_fields: int) -> np.ndarray:
    """Rows of ``num_fields`` numbers separated by commas and/or white space.

    ``nan`` is accepted (some benchmarks mark unknown boxes with it).

    Args:
        path: text file.
        num_fields: numbers expected on every line.

    Returns:
        ``(M, num_fields)`` float64 array, ``M`` = number of lines.

    Raises:
        FileNotFoundError: the file does not exist.
        AnnotationError: a line has another number of fields, a field is not
            a number, or the file is empty.
    """
    rows = _nonblank(read_text_lines(path))
    if not rows:
        raise AnnotationError(f'{path}: file is empty')
    fields = [_SEPARATORS.split(text) for _, text in rows]
    if all(len(f) == num_fields for f in fields):
        try:
            return np.asarray(fields, dtype=np.float64).reshape(-1, num_fields)
        except ValueError:
            pass  # locate the offending line below
    for (ln, text), f in zip(rows, fields):
        if len(f) != num_fields:
            raise AnnotationError(
                f'{path}, line {ln}: expected {num_fields} numbers, got '
                f'{len(f) if text else 0} in {text!r}')
        for value in f:
            try:
                float(value)
            except ValueError:
                raise AnnotationError(
                    f'{path}, line {ln}: {value!r} is not a number '
                    f'(line {text!r})') from None
    raise AssertionError('unreachable')  # pragma: no cover


def load_label_file(path: str,
                    min_value: Optional[int] = None,
                    max_value: Optional[int] = None) -> np.ndarray:
    """One integer label per line (``absence.label``, ``cover.label`` ...).

    Args:
        path: text file.
        min_value, max_value: inclusive range of valid labels, if any.

    Returns:
        ``(M,)`` int64 array.

    Raises:
        FileNotFoundError: the file does not exist.
        AnnotationError: a line is not one integer, a value is out of range,
            or the file is empty.
    """
    rows = _nonblank(read_text_lines(path))
    if not rows:
        raise AnnotationError(f'{path}: file is empty')
    out = np.empty(len(rows), dtype=np.int64)
    for i, (ln, text) in enumerate(rows):
        try:
            value = int(text)
        except ValueError:
            try:  # '1.0' style labels are accepted when integral
                number = float(text)
            except ValueError:
                number = float('nan')
            if not number.is_integer():
                raise AnnotationError(
                    f'{path}, line {ln}: expected one integer label, got '
                    f'{text!r}') from None
            value = int(number)
        if ((min_value is not None and value < min_value)
                or (max_value is not None and value > max_value)):
            raise AnnotationError(
                f'{path}, line {ln}: label {value} outside '
                f'[{min_value}, {max_value}]')
        out[i] = value
    return out
