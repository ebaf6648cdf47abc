"""The ``vot2020`` protocol (vot-toolkit 0.9.0 multistart EAO / A / R)."""
import os
import os.path as osp

import numpy as np
import pytest

from mmtrack_ext.evaluation import (evaluate_sequences, evaluate_vot2020,
                                    fragment_regions_from_boxes,
                                    get_protocol, read_vot_sequence_results,
                                    read_vot_times, vot_trajectory_path,
                                    write_vot_sequence_results,
                                    write_vot_trajectory)
from mmtrack_ext.evaluation.functional import (VOT2020_EAO_INTERVAL,
                                               eao_curve, find_anchors,
                                               fragment_frames,
                                               fragment_progress)
from mmtrack_ext.structures.regions import (Mask, Rectangle, Special,
                                            as_region, format_region,
                                            region_to_box, write_regions)

SIZE = (100, 80)
BOX = (10, 10, 10, 10)
GOOD = Rectangle(*BOX)
LOST = Rectangle(60, 50, 10, 10)


def _seq(gt, anchors, pred, **extra):
    return dict(gt=gt, anchors=anchors, resolution=SIZE, pred=pred, **extra)


def _anchors(n, forward=(0, ), backward=()):
    a = np.zeros(n)
    a[list(forward)] = 1
    a[list(backward)] = -1
    return a


# ---------------------------------------------------------------------------
# building blocks
def test_find_anchors_and_fragments():
    assert find_anchors([1, 0, -1, 0, 2, -3]) == ([0, 4], [2, 5])
    np.testing.assert_array_equal(fragment_frames(5, 2), [2, 3, 4])
    np.testing.assert_array_equal(fragment_frames(5, 2, backward=True),
                                  [2, 1, 0])
    np.testing.assert_array_equal(fragment_frames(5, 4), [4])
    with pytest.raises(ValueError, match='outside'):
        fragment_frames(5, 5)


def test_fragment_progress_rules():
    empty = np.zeros(30, bool)
    o = np.ones(30)
    assert fragment_progress(o, empty) == 30
    o[0] = 0  # the init frame starts a run ...
    o[1:10] = 0.1  # ... and <= threshold continues it: fails at frame 0
    assert fragment_progress(o, empty) == 0
    o[5] = 0.1001
    assert fragment_progress(o, empty) == 30  # runs of 5 and 4
    o[12:22] = 0.0
    assert fragment_progress(o, empty) == 12
    gt_empty = empty.copy()
    gt_empty[16] = True  # an empty ground truth interrupts the run
    assert fragment_progress(o, gt_empty) == 30
    assert fragment_progress(o, empty, grace=3) == 0
    assert fragment_progress(o, empty, grace=0) == 30  # never fails
    assert fragment_progress(np.zeros(9), np.zeros(9, bool)) == 9


def _progress_loop(o, empty, grace, thr):
    """Transcription of the toolkit's loop, for the random test."""
    left, progress = grace, len(o)
    for j, v in enumerate(o):
        if v <= thr and not empty[j]:
            left -= 1
            if left == 0:
                return j + 1 - grace
        else:
            left = grace
    return progress


def _eao_loop(fragments, high):
    phi, active = np.zeros(high), np.zeros(high)
    for o, success in fragments:
        for j in range(1, high):
            if j < len(o):
                phi[j] += np.mean(o[1:j + 1])
                active[j] += 1
            elif not success:
                phi[j] += np.sum(o[1:]) / (j - 1)
                active[j] += 1
    return np.where(active > 0, phi / np.maximum(active, 1), 0), active


def test_progress_and_curve_match_loops_on_random_data():
    rng = np.random.default_rng(0)
    frags = []
    for _ in range(200):
        n = int(rng.integers(1, 60))
        o = np.where(rng.random(n) < 0.4, 0.0, rng.random(n))
        empty = rng.random(n) < 0.05
        grace = int(rng.integers(1, 12))
        thr = float(rng.choice([0.0, 0.1, 0.5]))
        p = fragment_progress(o, empty, grace, thr)
        assert p == _progress_loop(o, empty, grace, thr)
        o[p:] = 0
        frags.append((o, p == n))
    curve, active = eao_curve(frags, 80)
    ref_curve, ref_active = _eao_loop(frags, 80)
    np.testing.assert_allclose(curve, ref_curve, rtol=0, atol=1e-14)
    np.testing.assert_array_equal(active, ref_active)


# ---------------------------------------------------------------------------
# hand-computed sequences
def test_registered():
    spec = get_protocol('vot2020')
    assert spec.metric_keys == ('EAO', 'A', 'R')
    assert spec.defaults == dict(low=115, high=755)
    assert VOT2020_EAO_INTERVAL == (115, 755)


def test_never_failing():
    gt = [GOOD] * 5
    pred = {0: [GOOD] * 5}  # element 0 is scored as the code 1: o_0 = 0
    out = evaluate_vot2020({'s': _seq(gt, _anchors(5), pred)}, low=2,
                           high=8)
    seq = out['per_sequence']['s']
    assert seq['A'] == pytest.approx(4 / 5)  # o_0 = 0 is in A
    assert seq['R'] == 1.0 and seq['num_failures'] == 0
    assert seq['tracked_frames'] == 5 and seq['fragment_frames'] == 5
    # a fragment that never fails stops contributing after its length
    np.testing.assert_array_equal(out['curves']['eao_curve'],
                                  [0, 1, 1, 1, 1, 0, 0, 0])
    np.testing.assert_array_equal(out['curves']['eao_active'],
                                  [0, 1, 1, 1, 1, 0, 0, 0])
    assert out['overall']['EAO'] == pytest.approx(3 / 6)  # points 2..7
    assert out['curves']['eao_interval'] == (2, 7)
    # the same scored as given: o_0 = 1
    out = evaluate_vot2020({'s': _seq(gt, _anchors(5), pred)},
                           init_as_special=False)
    assert out['overall']['A'] == 1.0


def test_immediate_failure():
    n = 12
    pred = {0: [Special(1)] + [LOST] * (n - 1)}
    out = evaluate_vot2020({'s': _seq([GOOD] * n, _anchors(n), pred)},
                           low=1, high=20)
    seq = out['per_sequence']['s']
    # frames 0..9 are a run of 10 failures: progress = 0
    assert seq['tracked_frames'] == 0 and seq['num_failures'] == 1
    assert seq['A'] == 0.0 and seq['R'] == 0.0
    o = out['overall']
    assert o['A'] == 0.0 and o['R'] == 0.0 and o['EAO'] == 0.0
    # a failed fragment stays active after its end
    assert (out['curves']['eao_active'][1:] == 1).all()


def test_failure_after_tracking():
    n = 30
    pred = [Special(1)] + [GOOD] * 9 + [LOST] * 20
    out = evaluate_vot2020(
        {'s': _seq([GOOD] * n, _anchors(n), {0: pred})}, low=5, high=40)
    seq = out['per_sequence']['s']
    assert seq['tracked_frames'] == 10  # run 10..19, progress = its start
    assert seq['A'] == pytest.approx(9 / 10)
    assert seq['R'] == pytest.approx(10 / 30)
    j = np.arange(40)
    expected = np.where(j < 10, 1.0, 9 / np.maximum(j, 1))
    expected[30:] = 9 / (j[30:] - 1)  # the toolkit's divisor after the end
    expected[0] = 0
    np.testing.assert_allclose(out['curves']['eao_curve'], expected,
                               rtol=1e-15)
    assert out['overall']['EAO'] == pytest.approx(expected[5:40].mean())


def test_empty_ground_truth_frames():
    n = 30
    gt = [GOOD] * n
    gt[15] = Special(0)  # interrupts the run 10..
    pred = [Special(1)] + [GOOD] * 9 + [LOST] * 20
    out = evaluate_vot2020({'s': _seq(gt, _anchors(n), {0: pred})})
    seq = out['per_sequence']['s']
    assert seq['tracked_frames'] == 16  # run 16..25
    assert seq['A'] == pytest.approx(9 / 16)
    # both empty: overlap 1 (counted in A); region vs empty: 0, no failure
    gt = [GOOD, Special(0), Mask(np.zeros((3, 3))), GOOD]
    pred = [Special(1), Special(0), GOOD, GOOD]
    out = evaluate_vot2020({'s': _seq(gt, _anchors(4), {0: pred})})
    assert out['per_sequence']['s']['A'] == pytest.approx(2 / 4)
    # a ground-truth mask one pixel wide is empty as the toolkit reads it
    gt = [GOOD, Mask(np.ones((5, 1)), (3, 3)), GOOD]
    pred = [Special(1), Special(0), GOOD]
    out = evaluate_vot2020({'s': _seq(gt, _anchors(3), {0: pred})})
    assert out['per_sequence']['s']['A'] == pytest.approx(2 / 3)


def test_anchor_at_last_frame_and_backward():
    n = 5
    gt = [Rectangle(10 + 5 * i, 10, 10, 10) for i in range(n)]
    pred = {0: gt, 4: [Special(1)]}
    out = evaluate_vot2020(
        {'s': _seq(gt, _anchors(n, forward=(0, 4)), pred)}, low=1, high=6)
    seq = out['per_sequence']['s']
    assert seq['num_fragments'] == 2
    assert seq['A'] == pytest.approx(4 / 6) and seq['R'] == 1.0
    # the one-frame fragment never contributes to the curve
    np.testing.assert_array_equal(out['curves']['eao_active'],
                                  [0, 1, 1, 1, 1, 0])

    # backward anchor on frame 3: frames 3, 2, 1, 0
    back = [Special(1)] + [gt[i] for i in (2, 1, 0)]
    out = evaluate_vot2020({
        's': _seq(gt, _anchors(n, forward=(), backward=(3, )), {3: back})
    })
    assert out['per_sequence']['s']['A'] == pytest.approx(3 / 4)
    assert out['per_sequence']['s']['R'] == 1.0
    # predictions in forward order would not match
    wrong = [Special(1)] + gt[1:4]
    out = evaluate_vot2020({
        's': _seq(gt, _anchors(n, forward=(), backward=(3, )), {3: wrong})
    })
    assert out['per_sequence']['s']['A'] < 0.5


def test_mask_and_rectangle_mixes():
    full = np.zeros(SIZE[::-1], bool)
    full[10:20, 10:20] = True
    gt_mask = Mask(full)  # the same pixels as GOOD
    half = full.copy()
    half[:, 15:] = False
    gt = [gt_mask, gt_mask, GOOD, gt_mask]
    pred = [Special(1), GOOD, Mask(half), Mask(half)]
    # overlaps: 0, 1, 0.5, 0.5
    out = evaluate_vot2020({'s': _seq(gt, _anchors(4), {0: pred})})
    assert out['per_sequence']['s']['A'] == pytest.approx(2 / 4)
    # the box a box tracker is initialised with covers the mask's pixels
    np.testing.assert_array_equal(region_to_box(gt_mask), BOX)


def test_overall_weights():
    """A is pooled over tracked frames, R weighted by sequence length."""
    n1, n2 = 30, 12
    s1 = _seq([GOOD] * n1, _anchors(n1),
              {0: [Special(1)] + [GOOD] * 9 + [LOST] * 20})
    s2 = _seq([GOOD] * n2, _anchors(n2), {0: [GOOD] * n2})
    out = evaluate_vot2020({'a': s1, 'b': s2})
    a1, a2 = 9 / 10, 11 / 12
    assert out['overall']['A'] == pytest.approx((a1 * 10 + a2 * 12) / 22)
    r1, r2 = 10 / 30, 1.0
    assert out['overall']['R'] == pytest.approx((r1 * 30 + r2 * 12) / 42)
    assert out['overall']['num_fragments'] == 2
    assert out['overall']['num_failures'] == 1
    # order of the sequences does not matter
    swapped = evaluate_vot2020({'b': s2, 'a': s1})
    for k in ('EAO', 'A', 'R'):
        assert swapped['overall'][k] == pytest.approx(out['overall'][k],
                                                      abs=1e-15)


def test_inputs_as_arrays_and_text():
    n = 6
    gt = np.tile(np.array(BOX, float), (n, 1))
    pred = np.tile(np.array(BOX, float), (n, 1))
    pred[3] = np.nan  # unknown -> overlap 0
    out = evaluate_vot2020({'s': _seq(gt, _anchors(n), {'0': pred})})
    assert out['per_sequence']['s']['A'] == pytest.approx(4 / 6)
    text = [format_region(GOOD)] * n
    out2 = evaluate_vot2020({
        's': _seq(text, _anchors(n), {np.int64(0): [format_region(GOOD)] *
                                      n})
    })
    assert out2['per_sequence']['s']['A'] == pytest.approx(5 / 6)
    assert evaluate_sequences('vot2020', {
        's': _seq(text, _anchors(n), {0: [GOOD] * n})
    })['overall'] == out2['overall']


def test_without_anchors_one_run_from_frame_0():
    """OPE-style input: a single forward fragment from frame 0."""
    rng = np.random.default_rng(2)
    n = 40
    gt = np.tile(np.array(BOX, float), (n, 1))
    pred = gt + rng.normal(0, 2, gt.shape)
    pred[20:, :2] += 50  # lost from frame 20
    gt[7, 2] = 0  # an empty ground-truth frame
    ope = evaluate_sequences('vot2020', {
        's': dict(gt=gt, pred=pred, resolution=SIZE)}, low=2, high=50)
    explicit = evaluate_vot2020({
        's': _seq([as_region(r) for r in gt], _anchors(n),
                  {0: [as_region(r) for r in pred]})}, low=2, high=50)
    assert ope['overall'] == explicit['overall']
    np.testing.assert_array_equal(ope['curves']['eao_curve'],
                                  explicit['curves']['eao_curve'])
    assert ope['per_sequence']['s']['tracked_frames'] == 20
    assert ope['overall']['num_failures'] == 1


def test_bounds_and_ignore():
    n = 3
    gt = [Rectangle(-10, 0, 20, 10)] * n  # half outside the image
    pred = [Special(1)] + [Rectangle(0, 0, 10, 10)] * 2
    out = evaluate_vot2020({'s': _seq(gt, _anchors(n), {0: pred})})
    assert out['per_sequence']['s']['A'] == pytest.approx(2 / 3)
    seq = _seq([GOOD] * n, _anchors(n),
               {0: [Special(1)] + [Rectangle(10, 10, 20, 10)] * 2},
               ignore=[None, Rectangle(20, 10, 10, 10), None])
    out = evaluate_vot2020({'s': seq})
    assert out['per_sequence']['s']['A'] == pytest.approx((0 + 1 + 0.5) / 3)


@pytest.mark.parametrize('change,msg', [
    (dict(anchors=np.zeros(4)), 'no anchors'),
    (dict(anchors=np.ones(3)), 'anchor values'),
    (dict(pred={1: [GOOD] * 4}), 'no result for the forward anchor at '
     'frame 0'),
    (dict(pred={0: [GOOD] * 3}), '3 regions for a fragment of 4'),
    (dict(pred=[GOOD] * 4), 'map anchor frames'),
    (dict(resolution=None), 'resolution'),
    (dict(gt=None), "'gt' is missing"),
    (dict(gt=['1,2,3']), 'expected'),
])
def test_errors(change, msg):
    seq = _seq([GOOD] * 4, _anchors(4), {0: [GOOD] * 4})
    seq.update(change)
    with pytest.raises(ValueError, match=msg):
        evaluate_vot2020({'s': seq})


def test_unbounded_needs_no_resolution():
    seq = _seq([GOOD] * 4, _anchors(4), {0: [GOOD] * 4})
    seq.pop('resolution')
    out = evaluate_vot2020({'s': seq}, bounded=False)
    assert out['overall']['A'] == pytest.approx(3 / 4)


def test_random_sequences_are_consistent():
    rng = np.random.default_rng(1)
    seqs = {}
    for s in range(6):
        n = int(rng.integers(5, 60))
        xy = 20 + np.cumsum(rng.normal(0, 1, (n, 2)), axis=0)
        gt = [Rectangle(x, y, 12, 10) for x, y in xy]
        anchors = np.zeros(n)
        anchors[rng.choice(n, 3, replace=False)] = rng.choice([1, -1], 3)
        pred = {}
        for a in np.flatnonzero(anchors):
            frames = fragment_frames(n, int(a), anchors[a] < 0)
            lost = int(rng.integers(1, 40))
            boxes = np.array([region_to_box(gt[f]) for f in frames])
            boxes[1:] += rng.normal(0, 1.5, (len(frames) - 1, 4))
            boxes[lost:, :2] += 50
            pred[int(a)] = fragment_regions_from_boxes(boxes)
        seqs[f's{s}'] = _seq(gt, anchors, pred)
    out = evaluate_vot2020(seqs, low=3, high=50)
    # the same as (N, 4) arrays: closed-form overlaps, same numbers
    as_arrays = {
        k: dict(v, gt=np.stack([region_to_box(r) for r in v['gt']]),
                pred={a: np.stack([region_to_box(r) for r in f])
                      for a, f in v['pred'].items()})
        for k, v in seqs.items()
    }
    assert evaluate_vot2020(as_arrays, low=3, high=50)['overall'] == \
        out['overall']
    per = out['per_sequence']
    for k in ('EAO', 'A', 'R'):
        assert 0 <= out['overall'][k] <= 1
    tracked = np.array([p['tracked_frames'] for p in per.values()])
    lengths = np.array([p['length'] for p in per.values()])
    a_s = np.array([p['A'] for p in per.values()])
    r_s = np.array([p['R'] for p in per.values()])
    assert out['overall']['A'] == pytest.approx(
        (a_s * tracked).sum() / tracked.sum())
    assert out['overall']['R'] == pytest.approx(
        (r_s * lengths).sum() / lengths.sum())
    # one sequence at a time, curves pooled by their active counts
    total = np.zeros(50)
    active = np.zeros(50)
    for name in seqs:
        one = evaluate_vot2020({name: seqs[name]}, low=3, high=50)
        total += one['curves']['eao_curve'] * one['curves']['eao_active']
        active += one['curves']['eao_active']
        assert one['per_sequence'][name] == per[name]
    pooled = np.where(active > 0, total / np.maximum(active, 1), 0)
    np.testing.assert_allclose(out['curves']['eao_curve'], pooled,
                               atol=1e-14)
    # a perfect tracker: R = 1 and A = (L - 1) / L pooled
    perfect = {
        k: dict(v, pred={a: [v['gt'][f] for f in fragment_frames(
            len(v['gt']), a, v['anchors'][a] < 0)] for a in v['pred']})
        for k, v in seqs.items()
    }
    out = evaluate_vot2020(perfect, low=3, high=50)
    assert out['overall']['R'] == 1.0
    frag_len = sum(p['fragment_frames'] for p in out['per_sequence'].values())
    frags = out['overall']['num_fragments']
    assert out['overall']['A'] == pytest.approx((frag_len - frags) / frag_len)


# ---------------------------------------------------------------------------
# result files
@pytest.mark.parametrize('binary', [False, True])
def test_result_files_roundtrip(tmp_path, binary):
    root = str(tmp_path / 'results' / 'tracker' / 'baseline')
    frags = {
        0: [Special(1), GOOD, Special(0)],
        7: [Special(1), Mask(np.ones((2, 3)), (4, 5))]
    }
    times = {0: [0.5, 0.01, 0.02], 7: [0.4, 0.03]}
    paths = write_vot_sequence_results(root, 'car', frags, times, binary)
    ext = '.bin' if binary else '.txt'
    assert osp.join(root, 'car', 'car_00000007' + ext) in paths
    assert vot_trajectory_path(root, 'car', 7, binary) in paths
    assert read_vot_sequence_results(root, 'car', [0, 7]) == frags
    np.testing.assert_allclose(read_vot_times(root, 'car', 7), [0.4, 0.03])
    assert read_vot_times(root, 'car', 3) is None
    with pytest.raises(FileNotFoundError, match='car_00000003'):
        read_vot_sequence_results(root, 'car', [3])
    with pytest.raises(ValueError, match='times'):
        write_vot_trajectory(root, 'car', 1, [Special(1)], times=[1, 2])


def test_fragment_regions_from_boxes():
    regions = fragment_regions_from_boxes([[1, 2, 3, 4], [5, 6, 7, 8],
                                           [np.nan] * 4])
    assert regions == [Special(1), Rectangle(5, 6, 7, 8), Special(0)]


# ---------------------------------------------------------------------------
# optional: the toolkit itself
def test_matches_vot_toolkit(tmp_path):
    """vot-toolkit 0.9.0 analyses on random sequences in its own layout
    (``pip install vot-toolkit==0.9.0 attributee==0.1.9``)."""
    multistart = pytest.importorskip('vot.analysis.multistart')
    vot_common = pytest.importorskip('vot.dataset.common')
    vot_results = pytest.importorskip('vot.tracker.results')
    import cv2

    class Storage:

        def __init__(self, root):
            self.root = root

        def isdocument(self, name):
            return osp.isfile(osp.join(self.root, name))

        def read(self, name, binary=False):
            return open(osp.join(self.root, name), 'rb' if binary else 'r')

        def documents(self):
            return os.listdir(self.root)

    class Experiment:
        anchor = 'anchor'

        def results(self, tracker, sequence):
            return vot_results.Results(
                Storage(str(tmp_path / 'results' / sequence.name)))

    rng = np.random.default_rng(5)
    w, h = 64, 48
    seqs, names = {}, []
    for s in range(5):
        name = f'seq{s}'
        names.append(name)
        d = tmp_path / 'sequences' / name
        (d / 'color').mkdir(parents=True)
        n = int(rng.integers(2, 60))
        (d / 'sequence').write_text(
            f'channels.color=color/%08d.jpg\nwidth={w}\nheight={h}\n'
            f'length={n}\n')
        cv2.imwrite(str(d / 'color' / '00000001.jpg'),
                    np.zeros((h, w, 3), np.uint8))
        for i in range(1, n):
            (d / 'color' / f'{i + 1:08d}.jpg').touch()
        xy = np.array([20., 15.]) + np.cumsum(rng.normal(0, 1, (n, 2)), 0)
        gt = []
        for x, y in xy:
            patch = rng.random((int(rng.integers(1, 12)),
                                int(rng.integers(1, 12)))) < 0.8
            gt.append(Mask(patch, (int(x), int(y))) if rng.random() < 0.8
                      else Rectangle(x, y, 8, 6))
        write_regions(str(d / 'groundtruth.txt'), gt)
        anchors = np.zeros(n)
        anchors[rng.choice(n, min(n, 3), replace=False)] = rng.choice(
            [1, -1], min(n, 3))
        (d / 'anchor.value').write_text(''.join(f'{v:g}\n' for v in anchors))
        pred = {}
        for a in np.flatnonzero(anchors):
            frames = fragment_frames(n, int(a), anchors[a] < 0)
            boxes = np.array([region_to_box(gt[f]) for f in frames])
            boxes[1:] += rng.normal(0, 2, (len(frames) - 1, 4))
            boxes[int(rng.integers(1, 30)):, :2] += 30
            pred[int(a)] = fragment_regions_from_boxes(boxes)
        write_vot_sequence_results(str(tmp_path / 'results'), name, pred,
                                   binary=bool(s % 2))
        seqs[name] = dict(gt=gt, anchors=anchors, resolution=(w, h),
                          pred=pred)
    low, high = 10, 70
    ours = evaluate_vot2020(seqs, low=low, high=high)

    ar = multistart.AccuracyRobustness()
    eaoc = multistart.EAOCurves(high=high)
    ta = tr = wa = wr = 0
    curve, weight = np.zeros(high), np.zeros(high)
    for name in names:
        seq = vot_common.read_sequence(str(tmp_path / 'sequences' / name))
        acc, rob, _, aw, rw = ar.subcompute(Experiment(), None, seq, [])
        assert ours['per_sequence'][name]['A'] == pytest.approx(acc,
                                                                abs=1e-12)
        assert ours['per_sequence'][name]['R'] == pytest.approx(rob,
                                                                abs=1e-12)
        ta, tr, wa, wr = ta + acc * aw, tr + rob * rw, wa + aw, wr + rw
        (c, act), sw = eaoc.subcompute(Experiment(), None, seq, [])
        curve += np.array(c) * np.array(act) * sw
        weight += np.array(act) * sw
    curve = np.where(weight > 0, curve / np.maximum(weight, 1e-300), 0)
    np.testing.assert_allclose(ours['curves']['eao_curve'], curve, atol=1e-12)
    assert ours['overall']['EAO'] == pytest.approx(
        np.mean(curve[low:high + 1]), abs=1e-12)
    assert ours['overall']['A'] == pytest.approx(ta / wa, abs=1e-12)
    assert ours['overall']['R'] == pytest.approx(tr / wr, abs=1e-12)
