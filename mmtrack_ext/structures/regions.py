"""VOT regions: rectangles, polygons, RLE masks and special codes.

The VOT challenge (VOT2020 and later, ``vot-toolkit`` 0.9.0) stores one
region per line in its ground truth (``groundtruth.txt``) and in tracker
result files:

- ``x,y,w,h`` -- an axis-aligned :class:`Rectangle` (left, top, width,
  height in pixels);
- ``x1,y1,x2,y2,...,xk,yk`` (``k >= 3``) -- a :class:`Polygon`;
- ``m<x0>,<y0>,<w>,<h>,<rle...>`` -- a :class:`Mask`: a ``w x h`` binary
  patch whose top-left pixel is ``(x0, y0)`` in the image, run-length
  encoded row by row (alternating runs of 0 and 1, starting with 0; a patch
  starting with a 1 begins with a run of length 0);
- a single integer -- a :class:`Special` code: ``0`` unknown (also any line
  holding NaN), ``1`` initialisation (the first line of every VOT result
  fragment), ``2`` failure (reset-based experiments).

Pixel conventions follow the toolkit's rasteriser (``vot/region/raster.py``)
exactly, because VOT overlaps are computed on pixel masks, not continuous
boxes:

- a rectangle's coordinates are stored as float32 (as the toolkit does) and
  rounded half to even (``np.round``); it covers the pixel columns
  ``x .. x + w - 1`` and rows ``y .. y + h - 1``;
- a polygon's vertices are rounded the same way and filled with the
  toolkit's scan-line rule (both end nodes of a span are included, vertex
  rows count twice, see :func:`_raster_polygon`);
- masks are kept cropped to their non-zero pixels (the toolkit's
  ``mask_optimize_read`` default for text files); an empty mask has shape
  ``(0, 0)`` at offset ``(0, 0)``.

:func:`region_overlap` / :func:`region_overlaps` reproduce the toolkit's
``calculate_overlap`` including its quirks (see their docstrings); the
multistart protocol (:mod:`mmtrack_ext.evaluation.functional.vot`) relies on
them. :func:`region_to_box` gives the axis-aligned box a box-only tracker is
initialised with, :func:`region_to_mask` the full-image binary mask.
"""
import os
import os.path as osp
import re
import struct
from typing import Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

__all__ = [
    'SPECIAL_UNKNOWN', 'SPECIAL_INIT', 'SPECIAL_FAILURE', 'Region',
    'Special', 'Rectangle', 'Polygon', 'Mask', 'as_region', 'parse_region',
    'format_region', 'rle_decode', 'rle_encode', 'read_regions',
    'write_regions', 'as_read_from_text', 'region_bounds', 'region_is_empty',
    'region_to_box', 'regions_to_boxes', 'region_to_mask', 'region_overlap',
    'region_overlaps', 'box_overlaps'
]

#: Special codes of VOT trajectory files.
SPECIAL_UNKNOWN = 0
SPECIAL_INIT = 1
SPECIAL_FAILURE = 2

_SPLIT = re.compile(r'[,\s]+')
_PLAIN_CSV = re.compile(r'-?\d+(,-?\d+)*')
Bounds = Tuple[int, int, int, int]


class Region:
    """Base class of VOT regions (immutable value objects)."""
    __slots__ = ()

    def __setattr__(self, name, value):
        raise AttributeError('regions are immutable')

    def __str__(self) -> str:
        return format_region(self)

    def is_empty(self) -> bool:
        """Whether the toolkit considers the region empty (see
        :func:`region_is_empty`)."""
        return region_is_empty(self)

    def to_box(self) -> np.ndarray:
        """Axis-aligned ``xywh`` box (see :func:`region_to_box`)."""
        return region_to_box(self)


class Special(Region):
    """A special code: ``0`` unknown, ``1`` initialisation, ``2`` failure.

    Special regions are empty: they never overlap anything (and overlap 1
    with another empty region, see :func:`region_overlap`).
    """
    __slots__ = ('code', )

    def __init__(self, code: int = SPECIAL_UNKNOWN):
        code_f = float(code)
        if not code_f.is_integer() or code_f < 0:
            raise ValueError(f'a special region code is a non-negative '
                             f'integer, got {code!r}')
        object.__setattr__(self, 'code', int(code_f))

    def __eq__(self, other) -> bool:
        return isinstance(other, Special) and other.code == self.code

    def __hash__(self) -> int:
        return hash(('Special', self.code))

    def __repr__(self) -> str:
        return f'Special({self.code})'


class Rectangle(Region):
    """Axis-aligned rectangle ``(x, y, width, height)`` in pixels.

    The values are kept as given (float64); the overlap computation uses
    them as the toolkit does: cast to float32, then rounded.
    """
    __slots__ = ('x', 'y', 'width', 'height')

    def __init__(self, x: float, y: float, width: float, height: float):
        values = [float(v) for v in (x, y, width, height)]
        if not all(np.isfinite(values)):
            raise ValueError(
                f'rectangle coordinates must be finite, got {values} (VOT '
                'files mark unknown regions with the special code 0)')
        for name, v in zip(self.__slots__, values):
            object.__setattr__(self, name, v)

    def __eq__(self, other) -> bool:
        return isinstance(other, Rectangle) and (
            (self.x, self.y, self.width, self.height) == (other.x, other.y,
                                                          other.width,
                                                          other.height))

    def __hash__(self) -> int:
        return hash(('Rectangle', self.x, self.y, self.width, self.height))

    def __repr__(self) -> str:
        return (f'Rectangle({self.x!r}, {self.y!r}, {self.width!r}, '
                f'{self.height!r})')


class Polygon(Region):
    """Closed polygon of ``K >= 3`` vertices, ``points`` ``(K, 2)`` float64
    ``(x, y)`` pixels (read-only)."""
    __slots__ = ('points', )

    def __init__(self, points):
        pts = np.array(points, dtype=np.float64)
        if pts.size % 2 or (pts.ndim == 2 and pts.shape[1] != 2) or \
                pts.ndim > 2:
            raise ValueError('a polygon takes (K, 2) points or 2K '
                             f'coordinates, got shape {pts.shape}')
        pts = pts.reshape(-1, 2)
        if pts.shape[0] < 3:
            raise ValueError(
                f'a polygon needs at least 3 points, got {pts.shape[0]}')
        if not np.isfinite(pts).all():
            raise ValueError('polygon coordinates must be finite')
        pts.flags.writeable = False
        object.__setattr__(self, 'points', pts)

    def __eq__(self, other) -> bool:
        return isinstance(other, Polygon) and np.array_equal(
            self.points, other.points)

    def __hash__(self) -> int:
        return hash(('Polygon', self.points.tobytes()))

    def __repr__(self) -> str:
        return f'Polygon({self.points.tolist()!r})'


class Mask(Region):
    """Binary mask patch placed at ``offset`` ``(x0, y0)`` in the image.

    Args:
        mask: ``(h, w)`` array; non-zero pixels belong to the region.
        offset: image coordinates ``(x0, y0)`` of ``mask[0, 0]``
            (integers; may be negative).

    The patch is cropped to its non-zero pixels on construction (so
    ``mask`` is ``(h', w')`` bool, read-only, and ``offset`` moves
    accordingly); an empty mask becomes shape ``(0, 0)`` at ``(0, 0)``.
    """
    __slots__ = ('mask', 'offset')

    def __init__(self, mask, offset: Sequence[int] = (0, 0)):
        m = np.asarray(mask)
        if m.ndim != 2:
            raise ValueError(f'a mask must be 2-D (h, w), got shape '
                             f'{m.shape}')
        if len(offset) != 2 or any(float(v) != int(v) for v in offset):
            raise ValueError(f'a mask offset is two integers (x0, y0), got '
                             f'{offset}')
        ox, oy = (int(v) for v in offset)
        m = m != 0  # a new array: never a view of the caller's
        rows = np.flatnonzero(m.any(1))
        if rows.size == 0:
            m, ox, oy = np.zeros((0, 0), dtype=bool), 0, 0
        else:
            cols = np.flatnonzero(m.any(0))
            r0, r1, c0, c1 = rows[0], rows[-1], cols[0], cols[-1]
            if (r0, c0) != (0, 0) or (r1, c1) != (m.shape[0] - 1,
                                                  m.shape[1] - 1):
                m = m[r0:r1 + 1, c0:c1 + 1].copy()
            ox, oy = ox + int(c0), oy + int(r0)
        m.flags.writeable = False
        object.__setattr__(self, 'mask', m)
        object.__setattr__(self, 'offset', (ox, oy))

    @classmethod
    def from_rle(cls, x0: int, y0: int, width: int, height: int,
                 rle: Sequence[int]) -> 'Mask':
        """Mask from the VOT encoding ``m<x0>,<y0>,<w>,<h>,<rle>``."""
        return cls(rle_decode(rle, width, height), (x0, y0))

    @classmethod
    def from_full_image(cls, mask) -> 'Mask':
        """Mask from an ``(H, W)`` image-sized binary array."""
        return cls(mask, (0, 0))

    @property
    def area(self) -> int:
        """Number of pixels of the region."""
        return int(self.mask.sum())

    def __eq__(self, other) -> bool:
        return (isinstance(other, Mask) and self.offset == other.offset
                and np.array_equal(self.mask, other.mask))

    def __hash__(self) -> int:
        return hash(('Mask', self.offset, self.mask.shape,
                     np.packbits(self.mask).tobytes()))

    def __repr__(self) -> str:
        h, w = self.mask.shape
        return f'Mask(offset={self.offset}, size=({w}, {h}), ' \
            f'area={self.area})'


# ---------------------------------------------------------------------------
# run-length encoding


def rle_decode(rle: Sequence[int], width: int, height: int) -> np.ndarray:
    """Decode VOT run lengths into an ``(height, width)`` bool mask.

    Runs alternate 0, 1, 0, ... starting with zeros, in row-major order.
    Runs that end before ``width * height`` leave the rest 0 (as the
    toolkit). Raises ``ValueError`` on negative values or runs past the end.
    """
    width, height = int(width), int(height)
    if width < 0 or height < 0:
        raise ValueError(f'mask size must be non-negative, got {width}x'
                         f'{height}')
    runs = np.asarray(rle, dtype=np.int64).reshape(-1)
    if runs.size and runs.min() < 0:
        raise ValueError('RLE run lengths must be non-negative')
    total = int(runs.sum())
    if total > width * height:
        raise ValueError(f'RLE runs cover {total} pixels, more than the '
                         f'{width}x{height} mask')
    flat = np.zeros(width * height, dtype=bool)
    flat[:total] = np.repeat(np.arange(runs.size) % 2 == 1, runs)
    return flat.reshape(height, width)


def rle_encode(mask: np.ndarray, max_run: Optional[int] = None) -> List[int]:
    """Encode an ``(h, w)`` binary array as VOT run lengths.

    Row-major runs alternating 0 and 1, starting with a (possibly empty) run
    of zeros; an empty array gives ``[0]`` (toolkit ``mask_to_rle``). With
    ``max_run`` (the binary format uses ``255 * 255``), longer runs are split
    into ``max_run, 0, max_run, ...`` so every value fits.
    """
    flat = np.asarray(mask).reshape(-1) != 0
    if flat.size == 0:
        return [0]
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    edges = np.concatenate([[0], change, [flat.size]])
    runs = np.diff(edges).tolist()
    if flat[0]:
        runs.insert(0, 0)
    if max_run is None or max(runs) <= max_run:
        return runs
    out = []
    for length in runs:
        while length > max_run:
            out += [max_run, 0]
            length -= max_run
        out.append(length)
    return out


# ---------------------------------------------------------------------------
# text format


def _parse_numbers(tokens: List[str], text: str) -> List[float]:
    try:
        return [float(t) for t in tokens]
    except ValueError:
        raise ValueError(f'not a number in region {text!r}') from None


def parse_region(text: str) -> Region:
    """Parse one VOT region line (see the module docstring).

    Values may be separated by commas and/or white space. Any NaN value (in
    a rectangle, polygon or lone code) gives ``Special(0)`` (unknown), as
    the toolkit reads NaN regions. Raises ``ValueError`` on anything else
    that is not a region (empty line, 2/3/odd number of values, non-integer
    codes, malformed masks).
    """
    text = text.strip()
    if not text:
        raise ValueError('empty region line')
    if text[0] in 'mM':
        body = text[1:]
        tokens = body.split(',') if _PLAIN_CSV.fullmatch(body) else [
            t for t in _SPLIT.split(body) if t]
        try:
            values = np.array(tokens, dtype=np.int64)
        except (ValueError, OverflowError):
            raise ValueError(f'mask region values must be integers: '
                             f'{text[:60]!r}') from None
        if len(values) < 4:
            raise ValueError(f'mask region needs x0,y0,w,h and run lengths, '
                             f'got {text[:60]!r}')
        x0, y0, w, h = (int(v) for v in values[:4])
        patch = rle_decode(values[4:], w, h)
        cols = np.flatnonzero(patch.any(0))
        if cols.size and cols[-1] == 0:
            # the toolkit's mask optimisation on reading text files takes a
            # patch whose last non-zero column is its first one for empty
            patch = patch[:0, :0]
        return Mask(patch, (x0, y0))
    tokens = [t for t in _SPLIT.split(text) if t]
    values = _parse_numbers(tokens, text)
    if any(np.isnan(values)):
        return Special(SPECIAL_UNKNOWN)
    if len(values) == 1:
        try:
            return Special(values[0])
        except ValueError:
            raise ValueError(f'a single value is a special code (0, 1 or '
                             f'2), got {text!r}') from None
    if len(values) == 4:
        return Rectangle(*values)
    if len(values) >= 6 and len(values) % 2 == 0:
        return Polygon(values)
    raise ValueError(f'expected a code, x,y,w,h, a polygon (>= 3 points) or '
                     f'a mask, got {len(values)} values in {text!r}')


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def as_read_from_text(region: Region) -> Region:
    """The region the toolkit holds after writing it to a text file and
    reading it back.

    Only masks one pixel wide change: the toolkit's mask optimisation on
    reading text takes a patch whose non-zero pixels all lie in its first
    column for empty (:func:`parse_region` does the same), and masks are
    written cropped. Every other region is returned as is.
    """
    if isinstance(region, Mask) and region.mask.shape[1] == 1:
        return Mask(np.zeros((0, 0), dtype=bool))
    return region


def format_region(region: Region) -> str:
    """The VOT text line of a region (inverse of :func:`parse_region`)."""
    if isinstance(region, Special):
        return str(region.code)
    if isinstance(region, Rectangle):
        return ','.join(
            _fmt(v)
            for v in (region.x, region.y, region.width, region.height))
    if isinstance(region, Polygon):
        return ','.join(_fmt(v) for v in region.points.reshape(-1))
    if isinstance(region, Mask):
        h, w = region.mask.shape
        rle = ','.join(map(str, rle_encode(region.mask)))
        return f'm{region.offset[0]},{region.offset[1]},{w},{h},{rle}'
    raise TypeError(f'not a region: {type(region).__name__}')


def as_region(value) -> Region:
    """Coerce ``value`` to a :class:`Region`.

    Accepts a region, a VOT text line, an integer code, a sequence of 4
    numbers (rectangle ``x,y,w,h``; NaN gives ``Special(0)``), of ``2k``
    numbers with ``k >= 3`` (polygon), or an image-sized 2-D **bool** array
    (mask at offset ``(0, 0)``).
    """
    if isinstance(value, Region):
        return value
    if isinstance(value, str):
        return parse_region(value)
    if isinstance(value, (int, np.integer)):
        return Special(int(value))
    arr = np.asarray(value)
    if arr.ndim == 0 and arr.dtype.kind in 'iuf':
        return Special(SPECIAL_UNKNOWN) if np.isnan(arr) else Special(arr)
    if arr.dtype == bool and arr.ndim == 2:
        return Mask(arr)
    if arr.ndim == 1 and arr.dtype.kind in 'iuf':
        arr = arr.astype(np.float64)
        if np.isnan(arr).any():
            return Special(SPECIAL_UNKNOWN)
        if arr.size == 4:
            return Rectangle(*arr)
        if arr.size >= 6 and arr.size % 2 == 0:
            return Polygon(arr)
        if arr.size == 1:
            return Special(arr[0])
    raise ValueError(f'cannot interpret {type(value).__name__} of shape '
                     f'{arr.shape} as a region (expected x,y,w,h, a polygon, '
                     'a special code, a VOT text line or a bool mask)')


# ---------------------------------------------------------------------------
# files (text and the toolkit's binary trajectory format)

_BIN_VERSION = 1
_BIN_MAX_RUN = 255 * 255


def _is_binary(path: str) -> bool:
    with open(path, 'rb') as f:
        head = f.read(2)
    return len(head) == 2 and struct.unpack('<h', head)[0] == _BIN_VERSION


def read_regions(path: str) -> List[Region]:
    """Read a VOT region file: ground truth or a result trajectory.

    Text files hold one region per line (:func:`parse_region`); files
    starting with the int16 ``1`` are read in the toolkit's binary
    trajectory format (``.bin``, the default when the toolkit runs a
    tracker). Trailing blank lines are ignored, blank lines inside are an
    error.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: a malformed line or record; the message names the file
            and the 1-based line (or record).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'region file not found: {path}')
    if _is_binary(path):
        return _read_binary(path)
    with open(path, encoding='utf-8', errors='replace') as f:
        lines = f.read().splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    regions = []
    for ln, line in enumerate(lines, 1):
        try:
            regions.append(parse_region(line))
        except ValueError as e:
            raise ValueError(f'{path}, line {ln}: {e}') from None
    return regions


def _read_binary(path: str) -> List[Region]:
    with open(path, 'rb') as f:
        data = f.read()
    pos = 0

    def take(fmt):
        nonlocal pos
        size = struct.calcsize(fmt)
        if pos + size > len(data):
            raise ValueError(f'{path}: truncated binary trajectory')
        out = struct.unpack_from(fmt, data, pos)
        pos += size
        return out

    _, length = take('<hI')
    regions = []
    for k in range(length):
        kind, = take('<B')
        if kind == 0:
            regions.append(Special(take('<I')[0]))
        elif kind == 1:
            x, y, w, h = take('<ffff')
            regions.append(Special(SPECIAL_UNKNOWN) if np.isnan(
                [x, y, w, h]).any() else Rectangle(x, y, w, h))
        elif kind == 2:
            n, = take('<H')
            values = take(f'<{2 * n}f')
            regions.append(
                Special(SPECIAL_UNKNOWN) if np.isnan(values).any() else
                Polygon(values))
        elif kind == 3:
            x0, y0, w, h, n = take('<hhHHH')
            rle = take(f'<{n}H')
            try:
                regions.append(Mask.from_rle(x0, y0, w, h, rle))
            except ValueError as e:
                raise ValueError(f'{path}, record {k + 1}: {e}') from None
        else:
            raise ValueError(f'{path}, record {k + 1}: unsupported region '
                             f'type {kind} (4 is a point, not a region)')
    return regions


def write_regions(path: str, regions: Iterable[Region],
                  binary: Optional[bool] = None) -> str:
    """Write regions one per line (text) or in the toolkit's binary format.

    Args:
        path: output file; parent folders are created.
        regions: regions (anything :func:`as_region` accepts).
        binary: binary format; default: when ``path`` ends with ``.bin``.

    Returns:
        ``path``.
    """
    regions = [as_region(r) for r in regions]
    if binary is None:
        binary = path.endswith('.bin')
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    if not binary:
        with open(path, 'w') as f:
            f.write(''.join(format_region(r) + '\n' for r in regions))
        return path
    chunks = [struct.pack('<hI', _BIN_VERSION, len(regions))]
    for r in regions:
        if isinstance(r, Special):
            chunks.append(struct.pack('<BI', 0, r.code))
        elif isinstance(r, Rectangle):
            chunks.append(
                struct.pack('<Bffff', 1, r.x, r.y, r.width, r.height))
        elif isinstance(r, Polygon):
            n = r.points.shape[0]
            chunks.append(
                struct.pack(f'<BH{2 * n}f', 2, n, *r.points.reshape(-1)))
        else:
            rle = rle_encode(r.mask, max_run=_BIN_MAX_RUN)
            h, w = r.mask.shape
            chunks.append(
                struct.pack(f'<BhhHHH{len(rle)}H', 3, r.offset[0],
                            r.offset[1], w, h, len(rle), *rle))
    with open(path, 'wb') as f:
        f.write(b''.join(chunks))
    return path


# ---------------------------------------------------------------------------
# geometry


def _rounded_rect(r: Rectangle) -> Tuple[int, int, int, int]:
    """``(x, y, w, h)`` as the rasteriser sees them: float32, rounded half
    to even."""
    return tuple(
        round(float(np.float32(v))) for v in (r.x, r.y, r.width, r.height))


def _rounded_points(p: Polygon) -> np.ndarray:
    return np.round(p.points.astype(np.float32)).astype(np.float64)


def region_bounds(region: Region) -> Bounds:
    """Integer ``(left, top, right, bottom)`` the toolkit rasterises a
    region in (inclusive pixel coordinates).

    Rectangle: ``(x, y, x + w - 1, y + h - 1)`` of the rounded values (so an
    empty rectangle has ``right < left``); polygon: rounded vertex extremes;
    mask: its non-zero pixels; empty masks and special codes: ``(0, 0, 0,
    0)`` (the origin takes part in the union box of
    :func:`region_overlap`, as in the toolkit).
    """
    if isinstance(region, Rectangle):
        x, y, w, h = _rounded_rect(region)
        return x, y, x + w - 1, y + h - 1
    if isinstance(region, Polygon):
        p = _rounded_points(region)
        lo, hi = p.min(0), p.max(0)
        return int(lo[0]), int(lo[1]), int(hi[0]), int(hi[1])
    if isinstance(region, Mask):
        if region.mask.size == 0:
            return 0, 0, 0, 0
        h, w = region.mask.shape
        ox, oy = region.offset
        return ox, oy, ox + w - 1, oy + h - 1
    if isinstance(region, Special):
        return 0, 0, 0, 0
    raise TypeError(f'not a region: {type(region).__name__}')


def region_is_empty(region: Region) -> bool:
    """The toolkit's ``is_empty`` (ground-truth frames that are empty never
    count towards a failure).

    Special codes are empty; a rectangle is empty unless its float32 width
    and height are both > 0; a polygon when its float32 vertices span zero
    width or height. A mask is empty when it has no pixel **or its pixels
    span a single column or row** -- a quirk of the toolkit (its test looks
    at the last column/row index of the cropped mask being 0), kept so that
    failures are detected on the same frames.
    """
    if isinstance(region, Special):
        return True
    if isinstance(region, Rectangle):
        w, h = np.float32(region.width), np.float32(region.height)
        return not (w > 0 and h > 0)
    if isinstance(region, Polygon):
        p = region.points.astype(np.float32)
        lo, hi = p.min(0), p.max(0)
        return bool(lo[0] == hi[0] or lo[1] == hi[1])
    if isinstance(region, Mask):
        h, w = region.mask.shape
        return w <= 1 or h <= 1
    raise TypeError(f'not a region: {type(region).__name__}')


def region_to_box(region: Region) -> np.ndarray:
    """Axis-aligned ``xywh`` float64 box of a region (NaN when empty).

    - rectangle: itself;
    - polygon: ``(min x, min y, max x - min x, max y - min y)`` of the
      vertices (the toolkit's ``Rectangle.convert``, and the "union" box of
      pytracking/pysot);
    - mask: the tight pixel box ``(x0, y0, x1 - x0 + 1, y1 - y0 + 1)`` of
      its non-zero pixels (``rect_from_mask`` of the VOT2020 tracker
      integrations): rasterised as a VOT rectangle it covers exactly the
      mask's pixel extent. An empty mask gives NaN;
    - special codes: NaN.
    """
    if isinstance(region, Rectangle):
        return np.array([region.x, region.y, region.width, region.height])
    if isinstance(region, Polygon):
        lo, hi = region.points.min(0), region.points.max(0)
        return np.array([lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1]])
    if isinstance(region, Mask):
        if region.mask.size == 0:
            return np.full(4, np.nan)
        h, w = region.mask.shape
        return np.array([region.offset[0], region.offset[1], w, h],
                        dtype=np.float64)
    if isinstance(region, Special):
        return np.full(4, np.nan)
    raise TypeError(f'not a region: {type(region).__name__}')


def regions_to_boxes(regions: Sequence[Region]) -> np.ndarray:
    """``(N, 4)`` ``xywh`` boxes of regions (:func:`region_to_box`)."""
    if not len(regions):
        return np.zeros((0, 4))
    return np.stack([region_to_box(as_region(r)) for r in regions])


# -- rasterisation inside a window -------------------------------------------
# A window is (L, T, R, B), inclusive pixel coordinates; rasters are
# (B - T + 1, R - L + 1) arrays whose [0, 0] is pixel (L, T).


def _slice_len(start, stop, n):
    """``(start', stop')`` of ``slice(start, stop)`` on a length-``n`` axis
    (numpy semantics: negative stops count from the end); vectorised."""
    start = np.asarray(start)
    stop = np.asarray(stop)
    start = np.where(start < 0, np.maximum(start + n, 0), np.minimum(start, n))
    stop = np.where(stop < 0, np.maximum(stop + n, 0), np.minimum(stop, n))
    return start, np.maximum(stop, start)


def _rect_spans(rect, win):
    """Pixel spans ``(r0, r1, c0, c1)`` (half-open, window-relative) of
    rounded rectangles ``rect = (x, y, w, h)`` arrays in windows ``win =
    (L, T, R, B)`` arrays, as the toolkit's ``rasterize_rectangle`` fills
    them (including its slicing with absolute right/bottom limits, which
    only differs from plain clipping for windows with negative
    coordinates)."""
    x, y, w, h = rect
    L, T, R, B = win
    n_w, n_h = R - L + 1, B - T + 1
    outside = (x > R) | (x + w - 1 < L) | (y > B) | (y + h - 1 < T)
    left = np.maximum(0, x - L)
    top = np.maximum(0, y - T)
    right = np.minimum(R, x + w - 1 - L)
    bottom = np.minimum(B, y + h - 1 - T)
    c0, c1 = _slice_len(left, right + 1, n_w)
    r0, r1 = _slice_len(top, bottom + 1, n_h)
    c1 = np.where(outside, c0, c1)
    r1 = np.where(outside, r0, r1)
    return r0, r1, c0, c1


def _raster_polygon(points: np.ndarray, win: Bounds) -> np.ndarray:
    """Scan-line fill of the toolkit's ``rasterize_polygon`` in a window.

    For every pixel row ``y``, every edge whose (rounded) end rows enclose
    ``y`` (inclusive; a horizontal edge only on its own row) gives a node at
    ``trunc(x_i + (y - y_i) / (y_j - y_i) * (x_j - x_i))`` (``x_i`` for a
    horizontal edge). Sorted nodes are filled pairwise, both ends included
    and clipped to the window; where two consecutive nodes coincide (a
    vertex row) the first is skipped unless it is the second-to-last node.
    Node positions are computed for all rows at once; only the pairing is a
    loop over rows.
    """
    L, T, R, B = win
    n_w, n_h = R - L + 1, B - T + 1
    out = np.zeros((n_h, n_w), dtype=bool)
    p = points - np.array([L, T], dtype=np.float64)
    xi, yi = p[:, 0], p[:, 1]
    xj, yj = np.roll(xi, 1), np.roll(yi, 1)  # j = previous vertex
    lo = max(int(np.ceil(yi.min())), 0)
    hi = min(int(np.floor(yi.max())), n_h - 1)
    if hi < lo:
        return out
    rows = np.arange(lo, hi + 1, dtype=np.float64)[:, None]
    ylo, yhi = np.minimum(yi, yj), np.maximum(yi, yj)
    active = (rows >= ylo) & (rows <= yhi)
    r = yj - yi
    k = xj - xi
    with np.errstate(divide='ignore', invalid='ignore'):
        nodes = np.where(r != 0, xi + (rows - yi) / r * k, xi)
    nodes = np.where(active, np.trunc(nodes), np.inf)
    nodes = np.sort(nodes, axis=1)
    counts = active.sum(1)
    nodes = np.where(np.isfinite(nodes), nodes, 0).astype(np.int64)
    for idx in np.flatnonzero(counts >= 2):
        nx = nodes[idx, :counts[idx]]
        m = len(nx)
        row = out[lo + idx]
        i = 0
        while i < m - 1:
            a, b = nx[i], nx[i + 1]
            if a >= n_w:
                break
            if a == b and i < m - 2:
                i += 1
                continue
            if b >= 0:
                row[max(a, 0):min(b, n_w - 1) + 1] = True
            i += 2
    return out


class _Piece:
    """A region rasterised in a window: either a box span or a bool array
    placed at window-relative ``(r0, c0)``."""
    __slots__ = ('r0', 'r1', 'c0', 'c1', 'arr')

    def __init__(self, r0, r1, c0, c1, arr=None):
        self.r0, self.r1, self.c0, self.c1, self.arr = r0, r1, c0, c1, arr

    def count(self) -> int:
        if self.arr is None:
            return (self.r1 - self.r0) * (self.c1 - self.c0)
        return int(np.count_nonzero(self.arr))

    def sub(self, r0, r1, c0, c1) -> np.ndarray:
        """Bool raster of the piece on window rows ``r0:r1``, cols
        ``c0:c1`` (which lie inside the piece's extent)."""
        if self.arr is None:
            return np.ones((r1 - r0, c1 - c0), dtype=bool)
        return self.arr[r0 - self.r0:r1 - self.r0, c0 - self.c0:c1 - self.c0]

    def full(self, n_h, n_w) -> np.ndarray:
        out = np.zeros((n_h, n_w), dtype=bool)
        out[self.r0:self.r1, self.c0:self.c1] = self.sub(
            self.r0, self.r1, self.c0, self.c1)
        return out


def _piece(region: Region, win: Bounds) -> _Piece:
    L, T, R, B = win
    n_w, n_h = R - L + 1, B - T + 1
    if isinstance(region, Rectangle):
        x, y, w, h = _rounded_rect(region)
        if x > R or x + w - 1 < L or y > B or y + h - 1 < T:
            return _Piece(0, 0, 0, 0)
        # python slices have the same semantics as the toolkit's
        cols = range(n_w)[max(0, x - L):min(R, x + w - 1 - L) + 1]
        rows = range(n_h)[max(0, y - T):min(B, y + h - 1 - T) + 1]
        if not cols or not rows:
            return _Piece(0, 0, 0, 0)
        return _Piece(rows.start, rows.stop, cols.start, cols.stop)
    if isinstance(region, Mask) and region.mask.size:
        h, w = region.mask.shape
        ox, oy = region.offset
        # the toolkit's copy_mask: plain clipping to the window
        c0, c1 = max(ox - L, 0), min(ox + w - L, n_w)
        r0, r1 = max(oy - T, 0), min(oy + h - T, n_h)
        if c1 <= c0 or r1 <= r0:
            return _Piece(0, 0, 0, 0)
        arr = region.mask[r0 + T - oy:r1 + T - oy, c0 + L - ox:c1 + L - ox]
        return _Piece(r0, r1, c0, c1, arr)
    if isinstance(region, Polygon):
        return _Piece(0, n_h, 0, n_w,
                      _raster_polygon(_rounded_points(region), win))
    return _Piece(0, 0, 0, 0)


def _intersection(a: _Piece, b: _Piece) -> int:
    r0, r1 = max(a.r0, b.r0), min(a.r1, b.r1)
    c0, c1 = max(a.c0, b.c0), min(a.c1, b.c1)
    if r1 <= r0 or c1 <= c0:
        return 0
    if a.arr is None and b.arr is None:
        return (r1 - r0) * (c1 - c0)
    if a.arr is None:
        return int(np.count_nonzero(b.sub(r0, r1, c0, c1)))
    if b.arr is None:
        return int(np.count_nonzero(a.sub(r0, r1, c0, c1)))
    return int(np.count_nonzero(a.sub(r0, r1, c0, c1)
                                & b.sub(r0, r1, c0, c1)))


def _window(b1: Bounds, b2: Bounds,
            bounds: Optional[Tuple[int, int]]) -> Union[float, Bounds]:
    """The raster window of a pair, or the overlap when the toolkit decides
    without rasterising (1.0 / 0.0)."""
    u = (min(b1[0], b2[0]), min(b1[1], b2[1]), max(b1[2], b2[2]),
         max(b1[3], b2[3]))
    if u[0] >= u[2] or u[1] >= u[3]:
        return 1.0
    if bounds is None:
        return u
    w = (max(0, u[0]), max(0, u[1]), min(int(bounds[0]) - 1, u[2]),
         min(int(bounds[1]) - 1, u[3]))
    if w[0] >= w[2] or w[1] >= w[3]:
        return 0.0
    return w


def region_to_mask(region, size: Tuple[int, int]) -> np.ndarray:
    """Full-image ``(H, W)`` bool mask of a region, ``size = (W, H)``.

    Pixels outside the image are dropped; the rasterisation is the
    toolkit's (see the module docstring).
    """
    region = as_region(region)
    W, H = int(size[0]), int(size[1])
    if W <= 0 or H <= 0:
        return np.zeros((max(H, 0), max(W, 0)), dtype=bool)
    return _piece(region, (0, 0, W - 1, H - 1)).full(H, W)


def region_overlap(region1,
                   region2,
                   bounds: Optional[Tuple[int, int]] = None,
                   ignore=None) -> float:
    """Overlap (IoU on pixels) of two regions as vot-toolkit 0.9.0's
    ``calculate_overlap``.

    Both regions are rasterised in the union of their
    :func:`region_bounds`; with ``bounds = (W, H)`` (what the VOT analyses
    pass) that window is clipped to the image ``[0, W-1] x [0, H-1]``.
    Overlap = ``|A & B| / |A | B|`` over the window's pixels (0 when the
    union is empty); pixels of ``ignore`` (an optional region) are left out
    of both counts.

    Toolkit quirks reproduced on purpose:

    - if the union box is at most one pixel wide or tall (two empty
      regions, but also two disjoint 1-px-wide regions, or a special code
      and a region touching the origin) the overlap is **1.0**;
    - if the clipped window is at most one pixel wide or tall, it is
      **0.0**;
    - without ``bounds``, a union box with negative coordinates cuts
      rectangles short (``(-5,-5,10,10)`` vs ``(0,0,10,10)`` gives 0.25).

    Args:
        region1, region2: regions (anything :func:`as_region` accepts).
        bounds: image size ``(W, H)`` or None.
        ignore: region whose pixels are ignored, or None.

    Returns:
        float in ``[0, 1]``.
    """
    a, b = as_region(region1), as_region(region2)
    win = _window(region_bounds(a), region_bounds(b), bounds)
    if isinstance(win, float):
        return win
    pa, pb = _piece(a, win), _piece(b, win)
    ign = None if ignore is None else as_region(ignore)
    if ign is not None and not isinstance(ign, Special):
        n_h, n_w = win[3] - win[1] + 1, win[2] - win[0] + 1
        keep = ~_piece(ign, win).full(n_h, n_w)
        ma, mb = pa.full(n_h, n_w) & keep, pb.full(n_h, n_w) & keep
        inter = int(np.count_nonzero(ma & mb))
        union = int(np.count_nonzero(ma | mb))
    else:
        inter = _intersection(pa, pb)
        union = pa.count() + pb.count() - inter
    return inter / union if union > 0 else 0.0


def region_overlaps(regions1: Sequence,
                    regions2: Sequence,
                    bounds: Optional[Tuple[int, int]] = None,
                    ignore: Optional[Sequence] = None) -> np.ndarray:
    """Frame-wise :func:`region_overlap` of two equally long region lists.

    Pairs made of rectangles and empty regions (special codes, empty masks)
    are computed in closed form for all frames at once; pairs involving a
    non-empty mask or a polygon (or an ignore region) are rasterised one by
    one inside their small window.

    Args:
        regions1, regions2: ``N`` regions each.
        bounds: image size ``(W, H)`` or None (see :func:`region_overlap`).
        ignore: ``N`` ignore regions (None entries allowed) or None.

    Returns:
        ``(N,)`` float64 overlaps.
    """
    if len(regions1) != len(regions2):
        raise ValueError(f'region lists differ in length: {len(regions1)} '
                         f'vs {len(regions2)}')
    if ignore is not None and len(ignore) != len(regions1):
        raise ValueError(f'{len(ignore)} ignore regions for '
                         f'{len(regions1)} frames')
    a = [as_region(r) for r in regions1]
    b = [as_region(r) for r in regions2]
    n = len(a)
    out = np.empty(n, dtype=np.float64)
    simple = np.array([_is_simple(x) and _is_simple(y)
                       for x, y in zip(a, b)], dtype=bool)
    if ignore is not None:
        simple &= np.array([i is None or isinstance(as_region(i), Special)
                            for i in ignore], dtype=bool)
    idx = np.flatnonzero(simple)
    if idx.size:
        out[idx] = _simple_overlaps([a[i] for i in idx],
                                    [b[i] for i in idx], bounds)
    for i in np.flatnonzero(~simple):
        out[i] = region_overlap(a[i], b[i], bounds,
                                None if ignore is None else ignore[i])
    return out


def _is_simple(r: Region) -> bool:
    return isinstance(r, (Rectangle, Special)) or (isinstance(r, Mask)
                                                  and r.mask.size == 0)


def _rect_table(regions: List[Region]) -> np.ndarray:
    """``(N, 4)`` float64 ``xywh`` of rectangles, NaN rows for the empty
    regions (special codes, empty masks)."""
    boxes = np.full((len(regions), 4), np.nan)
    for i, r in enumerate(regions):
        if isinstance(r, Rectangle):
            boxes[i] = (r.x, r.y, r.width, r.height)
    return boxes


def _simple_overlaps(a: List[Region], b: List[Region],
                     bounds: Optional[Tuple[int, int]]) -> np.ndarray:
    return box_overlaps(_rect_table(a), _rect_table(b), bounds)


def box_overlaps(boxes1,
                 boxes2,
                 bounds: Optional[Tuple[int, int]] = None) -> np.ndarray:
    """:func:`region_overlap` of rectangles given as arrays, vectorised.

    Args:
        boxes1, boxes2: ``(N, 4)`` ``xywh`` pixels; a row holding NaN is an
            empty region (the unknown code 0, as VOT files read NaN).
        bounds: image size ``(W, H)`` or None.

    Returns:
        ``(N,)`` float64 overlaps, equal to :func:`region_overlaps` of the
        matching :class:`Rectangle` / :class:`Special` lists.
    """
    f1 = np.asarray(boxes1, dtype=np.float64)
    f2 = np.asarray(boxes2, dtype=np.float64)
    if f1.shape != f2.shape or f1.ndim != 2 or f1.shape[1] != 4:
        raise ValueError(f'boxes must be two (N, 4) arrays, got {f1.shape} '
                         f'and {f2.shape}')
    if np.isinf(f1).any() or np.isinf(f2).any():
        raise ValueError('box coordinates must be finite or NaN (unknown)')
    ra, rb = ~np.isnan(f1).any(1), ~np.isnan(f2).any(1)
    # the rasteriser's view: float32, rounded half to even
    va = np.round(np.where(ra[:, None], f1, 0).astype(np.float32))
    vb = np.round(np.where(rb[:, None], f2, 0).astype(np.float32))
    va, vb = va.astype(np.int64), vb.astype(np.int64)

    def bnds(v, is_rect):
        x, y, w, h = v.T
        out = np.stack([x, y, x + w - 1, y + h - 1], axis=1)
        out[~is_rect] = 0
        return out

    b1, b2 = bnds(va, ra), bnds(vb, rb)
    u = np.concatenate([np.minimum(b1[:, :2], b2[:, :2]),
                        np.maximum(b1[:, 2:], b2[:, 2:])], axis=1)
    one = (u[:, 0] >= u[:, 2]) | (u[:, 1] >= u[:, 3])
    if bounds is not None:
        win = np.stack([
            np.maximum(0, u[:, 0]),
            np.maximum(0, u[:, 1]),
            np.minimum(int(bounds[0]) - 1, u[:, 2]),
            np.minimum(int(bounds[1]) - 1, u[:, 3])
        ], axis=1)
        zero = ~one & ((win[:, 0] >= win[:, 2]) | (win[:, 1] >= win[:, 3]))
    else:
        win = u
        zero = np.zeros(len(u), dtype=bool)

    def spans(v, is_rect):
        r0, r1, c0, c1 = _rect_spans(tuple(v.T), tuple(win.T))
        r1 = np.where(is_rect, r1, r0)
        c1 = np.where(is_rect, c1, c0)
        return r0, r1, c0, c1

    ar0, ar1, ac0, ac1 = spans(va, ra)
    br0, br1, bc0, bc1 = spans(vb, rb)
    area_a = (ar1 - ar0) * (ac1 - ac0)
    area_b = (br1 - br0) * (bc1 - bc0)
    ih = np.maximum(np.minimum(ar1, br1) - np.maximum(ar0, br0), 0)
    iw = np.maximum(np.minimum(ac1, bc1) - np.maximum(ac0, bc0), 0)
    inter = ih * iw
    union = area_a + area_b - inter
    with np.errstate(divide='ignore', invalid='ignore'):
        out = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    out = np.where(zero, 0.0, out)
    return np.where(one, 1.0, out)
