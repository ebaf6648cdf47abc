"""Strict readers of the text files that SOT benchmarks ship.

Every reader reports problems as :class:`~mmtrack_ext.datasets.errors.
AnnotationError` naming the file and the 1-based line, so a broken download
is found in seconds. A fast vectorised path handles well-formed files; only
when it fails are the lines re-read one by one to locate the problem.
"""
import os.path as osp
import re
from typing import Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from .errors import AnnotationError

__all__ = ['read_text_lines', 'read_name_list', 'load_number_table',
           'load_box_file',
           'load_label_file', 'load_flag_row', 'read_description',
           'load_vatic_annotation', 'names_from_spec']

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


def read_description(path: Optional[str]) -> Optional[str]:
    """A language description (LaSOT ``nlp.txt``, TNL2K ``language.txt``):
    the non-blank lines, stripped and joined by one space (``''`` for an
    empty file); ``None`` when ``path`` is ``None``.

    Raises:
        FileNotFoundError: ``path`` is given but does not exist.
    """
    if path is None:
        return None
    return ' '.join(
        line.strip() for line in read_text_lines(path) if line.strip())


def names_from_spec(spec: Union[str, Sequence[str]],
                    root: str = '',
                    what: str = 'sequence_list'
                    ) -> Tuple[str, List[Tuple[int, str]]]:
    """Names given either as a list or as a text file of one name a line.

    Args:
        spec: a list of names, or the path of a list file (relative paths
            are taken from ``root``).
        root: base folder of relative paths (a dataset's ``data_root``).
        what: the argument's name, used as the source of listed names.

    Returns:
        ``(source, [(line, name)])``: the file (or ``'{what} argument'``) and
        the 1-based position of every name in it.

    Raises:
        FileNotFoundError / AnnotationError: see :func:`read_name_list`.
    """
    if isinstance(spec, str):
        path = spec if osp.isabs(spec) else osp.join(root, spec)
        return path, read_name_list(path)
    return f'{what} argument', [(i + 1, str(n)) for i, n in enumerate(spec)]


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


def load_box_file(path: str, num_frames: int, where: str = '') -> np.ndarray:
    """``(num_frames, 4)`` ``xywh`` boxes of a one-box-per-frame
    ``groundtruth`` file (:func:`load_number_table`).

    Args:
        path: annotation file.
        num_frames: frames of the sequence.
        where: what the sequence is, for the error (e.g. the frame folder).

    Raises:
        AnnotationError: malformed lines, or not one box per frame.
    """
    xywh = load_number_table(path, 4)
    if xywh.shape[0] != num_frames:
        raise AnnotationError(
            f'{path}: {xywh.shape[0]} boxes but the sequence has '
            f'{num_frames} frames' + (f' ({where})' if where else ''))
    return xywh


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


def load_flag_row(path: str) -> np.ndarray:
    """Per-frame 0/1 flags written on one line, separated by commas and/or
    white space (LaSOT ``full_occlusion.txt`` / ``out_of_view.txt``).

    Flags continued on further lines are appended in order.

    Returns:
        ``(M,)`` int64 array of 0 and 1, ``M`` = number of flags.

    Raises:
        FileNotFoundError: the file does not exist.
        AnnotationError: a flag is not 0 or 1 (the message gives the line and
            the 1-based position of the flag on it), or the file is empty.
    """
    rows = [(ln, text) for ln, text in _nonblank(read_text_lines(path))
            if text]
    if not rows:
        raise AnnotationError(f'{path}: file is empty')
    out = []
    for ln, text in rows:
        fields = _SEPARATORS.split(text.strip(', \t'))
        try:
            flags = np.asarray(fields, dtype=np.float64)
        except ValueError:
            flags = None
        if flags is None or not np.isin(flags, (0., 1.)).all():
            k = next(i for i, f in enumerate(fields) if not _is_flag(f))
            raise AnnotationError(
                f'{path}, line {ln}: flag {k + 1} is {fields[k]!r}, expected '
                '0 or 1')
        out.append(flags.astype(np.int64))
    return np.concatenate(out)


def _is_flag(text: str) -> bool:
    try:
        return float(text) in (0., 1.)
    except ValueError:
        return False


#: Numeric columns of a vatic annotation line, in order.
VATIC_COLUMNS = ('track_id', 'xmin', 'ymin', 'xmax', 'ymax', 'frame', 'lost',
                 'occluded', 'generated')


def load_vatic_annotation(path: str) -> np.ndarray:
    """Box annotation in the vatic format (NfS ``{seq}.txt``).

    Every line is ``track_id xmin ymin xmax ymax frame lost occluded
    generated "label" [attributes ...]`` separated by white space: the box
    corners in pixels, the frame number, and 0/1 flags (``lost``: the
    target is out of view; ``occluded``; ``generated``: interpolated, not
    drawn by hand). The label and attributes are not returned.

    Returns:
        ``(M, 9)`` float64 array, columns :data:`VATIC_COLUMNS`, one row per
        line.

    Raises:
        FileNotFoundError: the file does not exist.
        AnnotationError: a line has fewer than 9 numbers before its label, a
            field is not a number, a flag is not 0/1, or the file is empty.
    """
    rows = _nonblank(read_text_lines(path))
    if not rows:
        raise AnnotationError(f'{path}: file is empty')
    k = len(VATIC_COLUMNS)
    heads = [text.split('"', 1)[0].split()[:k] for _, text in rows]
    out = None
    if all(len(h) == k for h in heads):
        try:
            out = np.asarray(heads, dtype=np.float64).reshape(-1, k)
        except ValueError:
            pass  # locate the offending line below
    if out is None:
        for (ln, text), fields in zip(rows, heads):
            if len(fields) < k:
                raise AnnotationError(
                    f'{path}, line {ln}: expected {k} numbers ('
                    f'{" ".join(VATIC_COLUMNS)}) before the label, got '
                    f'{len(fields)} in {text!r}')
            for j, value in enumerate(fields):
                try:
                    float(value)
                except ValueError:
                    raise AnnotationError(
                        f'{path}, line {ln}: {VATIC_COLUMNS[j]} {value!r} is '
                        f'not a number (line {text!r})') from None
        raise AssertionError('unreachable')  # pragma: no cover
    bad = ~np.isin(out[:, 6:], (0., 1.))
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise AnnotationError(
            f'{path}, line {rows[i][0]}: {VATIC_COLUMNS[6 + j]} flag is '
            f'{heads[i][6 + j]!r}, expected 0 or 1')
    return out
