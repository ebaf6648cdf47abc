"""VOT regions: parsing, RLE, rasterisation and toolkit-exact overlaps."""
import numpy as np
import pytest

from mmtrack_ext.structures.regions import (
    Mask, Polygon, Rectangle, Special, as_read_from_text, as_region,
    box_overlaps, format_region,
    parse_region, read_regions, region_bounds, region_is_empty,
    region_overlap, region_overlaps, region_to_box, region_to_mask,
    regions_to_boxes, rle_decode, rle_encode, write_regions)


# ---------------------------------------------------------------------------
# parsing and formatting
def test_parse_each_kind():
    assert parse_region('1') == Special(1)
    assert parse_region(' 2 ') == Special(2)
    assert parse_region('10.5,20,30,40.25') == Rectangle(10.5, 20, 30, 40.25)
    assert parse_region('1 2\t3,4') == Rectangle(1, 2, 3, 4)
    poly = parse_region('0,0,4,0,4,3')
    assert isinstance(poly, Polygon)
    np.testing.assert_array_equal(poly.points, [[0, 0], [4, 0], [4, 3]])
    # 3x2 patch at (7, 8): rows [0 1 1] [1 0 0] -> runs 1 zero, 3 ones, 2 zeros
    mask = parse_region('m7,8,3,2,1,3,2')
    assert isinstance(mask, Mask)
    assert mask.offset == (7, 8)
    np.testing.assert_array_equal(mask.mask, [[0, 1, 1], [1, 0, 0]])


@pytest.mark.parametrize('line', ['nan', '1,nan,3,4', 'nan,0,1,1,2,2'])
def test_nan_is_unknown(line):
    assert parse_region(line) == Special(0)


@pytest.mark.parametrize('line,msg', [
    ('', 'empty'),
    ('1,2', 'expected'),
    ('1,2,3', 'expected'),
    ('1,2,3,4,5', 'expected'),
    ('1.5', 'special code'),
    ('a,b,c,d', 'not a number'),
    ('m1,2,3', 'x0,y0,w,h'),
    ('m0,0,2,2,1,9', 'more than'),
    ('m0,0,2,2,1,-1', 'non-negative'),
    ('m0,0,2,x,1', 'integers'),
])
def test_parse_errors(line, msg):
    with pytest.raises(ValueError, match=msg):
        parse_region(line)


def test_format_roundtrip():
    regions = [
        Special(0), Special(1), Rectangle(1, 2.5, 3.25, 4),
        Polygon([[0, 0], [5.5, 0], [5, 5]]),
        Mask(np.array([[0, 0, 0], [0, 1, 0], [1, 1, 0]]), (3, -2))
    ]
    lines = [format_region(r) for r in regions]
    assert lines[:3] == ['0', '1', '1,2.5,3.25,4']
    assert lines[4] == 'm3,-1,2,2,1,3'  # cropped to the pixels
    assert [parse_region(line) for line in lines] == regions
    assert str(regions[2]) == lines[2]


def test_as_region():
    assert as_region(Special(1)) == Special(1)
    assert as_region('0') == Special(0)
    assert as_region(2) == Special(2)
    assert as_region([1, 2, 3, 4]) == Rectangle(1, 2, 3, 4)
    assert as_region(np.array([np.nan, 1, 2, 3])) == Special(0)
    assert isinstance(as_region(np.arange(6.)), Polygon)
    m = np.zeros((4, 5), bool)
    m[1:3, 2] = True
    assert as_region(m) == Mask(m)
    with pytest.raises(ValueError, match='cannot interpret'):
        as_region(np.zeros((3, 3)))
    with pytest.raises(ValueError, match='finite'):
        Rectangle(0, 0, np.inf, 1)


# ---------------------------------------------------------------------------
# run-length encoding and masks
def test_rle():
    m = np.array([[0, 1, 1], [1, 0, 0]])
    assert rle_encode(m) == [1, 3, 2]
    assert rle_encode(np.array([[1, 0]])) == [0, 1, 1]
    assert rle_encode(np.zeros((0, 0))) == [0]
    assert rle_encode(np.ones((1, 10)), max_run=4) == [0, 4, 0, 4, 0, 2]
    np.testing.assert_array_equal(rle_decode([0, 4, 0, 4, 0, 2], 10, 1),
                                  np.ones((1, 10), bool))
    # runs may stop early: the rest is background
    np.testing.assert_array_equal(rle_decode([1, 1], 2, 2),
                                  [[False, True], [False, False]])
    rng = np.random.default_rng(0)
    for _ in range(20):
        h, w = rng.integers(1, 9, 2)
        m = rng.random((h, w)) < 0.5
        np.testing.assert_array_equal(rle_decode(rle_encode(m), w, h), m)


def test_mask_is_cropped_and_immutable():
    full = np.zeros((10, 12), bool)
    full[2:5, 3:7] = True
    m = Mask.from_full_image(full)
    assert m.offset == (3, 2) and m.mask.shape == (3, 4) and m.area == 12
    assert not m.mask.flags.writeable
    with pytest.raises(AttributeError):
        m.offset = (0, 0)
    empty = Mask(np.zeros((3, 3)), (5, 5))
    assert empty.mask.shape == (0, 0) and empty.offset == (0, 0)
    assert format_region(empty) == 'm0,0,0,0,0'
    assert parse_region('m0,0,0,0,0') == empty


def test_text_mask_in_first_column_reads_empty():
    """vot-toolkit's mask optimisation on reading text takes a patch whose
    pixels all lie in its first column for empty (only 1-px-wide masks)."""
    assert parse_region('m5,5,1,3,0,3').mask.size == 0
    # the same column, but not the first of its patch, is kept
    kept = parse_region('m4,5,2,3,1,1,1,1,1,1')
    assert kept.offset == (5, 5) and kept.mask.shape == (3, 1)
    # written (cropped) and read back, a 1-px-wide mask is empty
    assert parse_region(format_region(kept)).mask.size == 0
    assert as_read_from_text(kept).mask.size == 0
    wide = Mask(np.ones((1, 2)), (3, 4))
    assert as_read_from_text(wide) is wide
    assert as_read_from_text(Rectangle(0, 0, 1, 5)) == Rectangle(0, 0, 1, 5)


def test_is_empty_follows_toolkit():
    assert region_is_empty(Special(1))
    assert region_is_empty(Rectangle(0, 0, 0, 5))
    assert region_is_empty(Rectangle(0, 0, 5, -1))
    assert not region_is_empty(Rectangle(0, 0, 0.5, 0.5))
    assert region_is_empty(Polygon([[0, 0], [4, 0], [8, 0]]))
    assert not region_is_empty(Polygon([[0, 0], [4, 0], [0, 1]]))
    assert region_is_empty(Mask(np.ones((4, 1))))  # one column: quirk
    assert region_is_empty(Mask(np.ones((1, 4))))
    assert not region_is_empty(Mask(np.ones((2, 2))))


# ---------------------------------------------------------------------------
# boxes and rasters
def test_region_to_box():
    np.testing.assert_array_equal(region_to_box(Rectangle(1, 2, 3, 4)),
                                  [1, 2, 3, 4])
    poly = Polygon([[2, 1], [6, 3], [3, 7]])
    np.testing.assert_array_equal(region_to_box(poly), [2, 1, 4, 6])
    mask = np.zeros((8, 8), bool)
    mask[2:4, 5] = True
    mask[6, 3] = True
    # tight pixel box: columns 3..5, rows 2..6
    np.testing.assert_array_equal(region_to_box(Mask(mask)), [3, 2, 3, 5])
    assert np.isnan(region_to_box(Special(0))).all()
    assert np.isnan(region_to_box(Mask(np.zeros((2, 2))))).all()
    boxes = regions_to_boxes(['1,2,3,4', Special(0)])
    assert boxes.shape == (2, 4) and np.isnan(boxes[1]).all()
    assert regions_to_boxes([]).shape == (0, 4)


def test_box_of_mask_rasterises_to_its_extent():
    rng = np.random.default_rng(1)
    full = np.zeros((20, 30), bool)
    full[4:11, 7:19] = rng.random((7, 12)) < 0.6
    mask = Mask(full)
    box_mask = region_to_mask(Rectangle(*region_to_box(mask)), (30, 20))
    ys, xs = np.nonzero(full)
    expected = np.zeros_like(full)
    expected[ys.min():ys.max() + 1, xs.min():xs.max() + 1] = True
    np.testing.assert_array_equal(box_mask, expected)


def test_region_to_mask():
    # float32 values rounded half to even: x 1.5 -> 2, y 0.5 -> 0
    m = region_to_mask(Rectangle(1.5, 0.5, 2, 2), (5, 4))
    expected = np.zeros((4, 5), bool)
    expected[0:2, 2:4] = True
    np.testing.assert_array_equal(m, expected)
    # clipped to the image
    m = region_to_mask(Rectangle(-2, 3, 4, 10), (5, 4))
    assert m.sum() == 2 and m[3, 0] and m[3, 1]
    mask = Mask(np.ones((3, 3)), (3, 2))
    assert region_to_mask(mask, (5, 4)).sum() == 4  # 2x2 inside
    assert region_to_mask(Special(0), (5, 4)).sum() == 0
    # the toolkit's scan-line fill includes both span ends
    square = region_to_mask(Polygon([[0, 0], [3, 0], [3, 3], [0, 3]]),
                            (6, 6))
    assert square[:4, :4].all() and square.sum() == 16
    tri = region_to_mask(Polygon([[0, 0], [4, 0], [0, 4]]), (6, 6))
    np.testing.assert_array_equal(tri.sum(1), [5, 4, 3, 2, 1, 0])
    assert region_bounds(Rectangle(2, 3, 4, 5)) == (2, 3, 5, 7)
    assert region_bounds(Special(2)) == (0, 0, 0, 0)


# ---------------------------------------------------------------------------
# overlaps
@pytest.mark.parametrize('a,b,bounds,expected', [
    (Rectangle(0, 0, 10, 10), Rectangle(0, 0, 10, 10), (100, 100), 1.0),
    (Rectangle(0, 0, 10, 10), Rectangle(5, 0, 10, 10), (100, 100), 1 / 3),
    # cropped to the image: the part left of x = 0 is not counted
    (Rectangle(-50, 0, 100, 100), Rectangle(0, 0, 50, 100), (200, 200), 1.0),
    # toolkit quirk without bounds: negative union boxes cut rectangles
    (Rectangle(-50, 0, 100, 100), Rectangle(0, 0, 50, 100), None, 0.0),
    (Rectangle(-5, -5, 10, 10), Rectangle(0, 0, 10, 10), None, 0.25),
    # empty regions
    (Special(0), Special(1), (10, 10), 1.0),
    (Special(1), Rectangle(2, 2, 5, 5), (10, 10), 0.0),
    (Mask(np.zeros((2, 2))), Special(0), (10, 10), 1.0),
    # quirk: a union box one pixel wide gives 1, even for disjoint boxes
    (Rectangle(3, 0, 1, 2), Rectangle(3, 5, 1, 2), (10, 10), 1.0),
    # quirk: a window clipped to one column gives 0, even for equal boxes
    (Rectangle(9, 0, 5, 5), Rectangle(9, 0, 5, 5), (10, 10), 0.0),
    # rounding half to even: 2.5 -> 2, 0.5 -> 0
    (Rectangle(2.5, 0.5, 2, 2), Rectangle(2, 0, 2, 2), (10, 10), 1.0),
    # mask vs rectangle: 2 of 4 pixels
    (Mask(np.ones((2, 2)), (1, 1)), Rectangle(1, 1, 2, 1), (10, 10), 0.5),
    # polygon: 4 of the triangle's 15 pixels
    (Polygon([[0, 0], [4, 0], [0, 4]]), Rectangle(0, 0, 2, 2), (10, 10),
     4 / 15),
])
def test_overlap_hand_cases(a, b, bounds, expected):
    assert region_overlap(a, b, bounds) == pytest.approx(expected, abs=1e-15)
    assert region_overlap(b, a, bounds) == pytest.approx(expected, abs=1e-15)
    batch = region_overlaps([a, b], [b, a], bounds)
    np.testing.assert_allclose(batch, [expected, expected], atol=1e-15)


def test_overlap_with_ignore_region():
    a, b = Rectangle(0, 0, 4, 4), Rectangle(2, 0, 4, 4)
    assert region_overlap(a, b, (10, 10)) == pytest.approx(8 / 24)
    # columns 0-1 ignored: A keeps 8 pixels, B 16, intersection 8
    assert region_overlap(a, b, (10, 10),
                          ignore=Rectangle(0, 0, 2, 4)) == 0.5
    assert region_overlap(a, b, (10, 10), ignore=Special(0)) == \
        pytest.approx(8 / 24)
    out = region_overlaps([a, a], [b, b], (10, 10),
                          ignore=[Rectangle(0, 0, 2, 4), None])
    np.testing.assert_allclose(out, [0.5, 8 / 24])


def _random_region(rng, w, h):
    kind = rng.integers(0, 8)
    if kind == 0:
        return Special(int(rng.integers(0, 3)))
    if kind <= 3:
        x, y = rng.uniform(-10, w + 5, 2)
        bw, bh = rng.uniform(-2, 20, 2)
        return Rectangle(x, y, bw, bh)
    if kind == 4:
        return Polygon(rng.uniform(-5, w + 5, (int(rng.integers(3, 6)), 2)))
    patch = rng.random(tuple(rng.integers(0, 12, 2))) < 0.6
    return Mask(patch, tuple(rng.integers(-6, w, 2)))


@pytest.mark.parametrize('bounds', [(40, 30), None])
def test_batch_equals_pairwise(bounds):
    rng = np.random.default_rng(2)
    a = [_random_region(rng, 40, 30) for _ in range(300)]
    b = [_random_region(rng, 40, 30) for _ in range(300)]
    batch = region_overlaps(a, b, bounds)
    single = [region_overlap(x, y, bounds) for x, y in zip(a, b)]
    np.testing.assert_array_equal(batch, single)
    assert ((batch >= 0) & (batch <= 1)).all()
    with pytest.raises(ValueError, match='differ in length'):
        region_overlaps(a, b[:-1])


@pytest.mark.parametrize('bounds', [(40, 30), None])
def test_box_overlaps_equal_region_overlaps(bounds):
    rng = np.random.default_rng(5)
    a = rng.uniform(-10, 35, (500, 4))
    b = a + rng.normal(0, 4, (500, 4))
    a[rng.random(500) < 0.1, 1] = np.nan
    b[rng.random(500) < 0.1] = np.nan
    b[rng.random(500) < 0.1, 2] = 0
    ra = [Special(0) if np.isnan(r).any() else Rectangle(*r) for r in a]
    rb = [Special(0) if np.isnan(r).any() else Rectangle(*r) for r in b]
    np.testing.assert_array_equal(box_overlaps(a, b, bounds),
                                  [region_overlap(x, y, bounds)
                                   for x, y in zip(ra, rb)])
    with pytest.raises(ValueError, match='finite'):
        box_overlaps([[0, 0, np.inf, 1]], [[0, 0, 1, 1]])
    with pytest.raises(ValueError, match=r'\(N, 4\)'):
        box_overlaps(a, b[:3])


def test_overlap_equals_mask_iou_inside_image():
    """Away from the quirks, the overlap is the IoU of the image masks."""
    rng = np.random.default_rng(3)
    size = (40, 30)
    for _ in range(100):
        a, b = _random_region(rng, *size), _random_region(rng, *size)
        ma, mb = region_to_mask(a, size), region_to_mask(b, size)
        union = (ma | mb).sum()
        lo = np.minimum(region_bounds(a), region_bounds(b))
        hi = np.maximum(region_bounds(a), region_bounds(b))
        win_w = min(size[0] - 1, hi[2]) - max(0, lo[0])
        win_h = min(size[1] - 1, hi[3]) - max(0, lo[1])
        if union == 0 or win_w < 1 or win_h < 1 or hi[2] <= lo[0] or \
                hi[3] <= lo[1]:
            continue
        assert region_overlap(a, b, size) == pytest.approx(
            (ma & mb).sum() / union, abs=1e-15)


def test_overlap_matches_vot_toolkit():
    """Optional: vot-toolkit 0.9.0 (``pip install vot-toolkit==0.9.0
    attributee==0.1.9``) on random regions of every kind."""
    raster = pytest.importorskip('vot.region.raster')
    shapes = pytest.importorskip('vot.region.shapes')
    vot_region = pytest.importorskip('vot.region')

    def to_vot(r):
        if isinstance(r, Special):
            return vot_region.Special(r.code)
        if isinstance(r, Rectangle):
            return shapes.Rectangle(r.x, r.y, r.width, r.height)
        if isinstance(r, Polygon):
            return shapes.Polygon([tuple(p) for p in r.points])
        return shapes.Mask(r.mask.astype(np.uint8), r.offset, optimize=True)

    rng = np.random.default_rng(4)
    for _ in range(400):
        a, b = _random_region(rng, 40, 30), _random_region(rng, 40, 30)
        # masks as the toolkit reads them from text
        a, b = parse_region(format_region(a)), parse_region(format_region(b))
        bounds = (40, 30) if rng.random() < 0.8 else None
        assert region_overlap(a, b, bounds) == raster.calculate_overlap(
            to_vot(a), to_vot(b), bounds)
        assert region_is_empty(a) == to_vot(a).is_empty()


# ---------------------------------------------------------------------------
# files
@pytest.mark.parametrize('binary', [False, True])
def test_file_roundtrip(tmp_path, binary):
    big = np.zeros((300, 300), bool)
    big[:, :] = True  # one run of 90000 > 255 * 255: split in binary files
    regions = [
        Special(1), Rectangle(1, 2, 3, 4), Special(0),
        Polygon([[0, 0], [4, 0], [4, 4]]),
        Mask(np.array([[1, 0], [1, 1]]), (5, 6)),
        Mask(big, (1, 1))
    ]
    path = str(tmp_path / ('sub/traj.bin' if binary else 'sub/traj.txt'))
    assert write_regions(path, regions) == path
    assert read_regions(path) == regions
    with open(path, 'rb') as f:
        assert (f.read(2) == b'\x01\x00') == binary


def test_read_errors_name_file_and_line(tmp_path):
    path = tmp_path / 'groundtruth.txt'
    path.write_text('1,2,3,4\n0\n1,2,3\n\n')
    with pytest.raises(ValueError, match=r'groundtruth\.txt, line 3'):
        read_regions(str(path))
    path.write_text('1,2,3,4\n\n1,2,3,4\n')
    with pytest.raises(ValueError, match='line 2: empty'):
        read_regions(str(path))
    path.write_text('1,2,3,4\n\n\n')  # trailing blank lines are fine
    assert read_regions(str(path)) == [Rectangle(1, 2, 3, 4)]
    with pytest.raises(FileNotFoundError):
        read_regions(str(tmp_path / 'missing.txt'))
