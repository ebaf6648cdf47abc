"""Hand-computed corner cases of the SOT protocols (evaluation.md, sec. 3)."""
import numpy as np
import pytest

from mmtrack_ext.evaluation import (evaluate_sequences, get_protocol,
                                    list_protocols, register_protocol)
from mmtrack_ext.evaluation.functional import (
    OVERLAP_THRESHOLDS, SOT_PROTOCOLS, bound_boxes_got10k, center_error,
    iou_got10k, iou_pixel, normalized_center_error)


def _seq(pred, gt, **kw):
    return dict(pred=np.asarray(pred, float), gt=np.asarray(gt, float), **kw)


# ---------------------------------------------------------------- registry


def test_registry_lists_and_extends():
    assert {'got10k', 'ostrack', 'pytracking'} <= set(list_protocols())
    assert get_protocol('got10k').metric_keys == ('AO', 'SR0.5', 'SR0.75')
    assert get_protocol('ostrack').metric_keys == ('AUC', 'P', 'P_norm',
                                                   'OP50', 'OP75')
    with pytest.raises(KeyError, match='unknown SOT protocol'):
        evaluate_sequences('no_such_protocol', {})
    with pytest.raises(KeyError, match='already registered'):
        register_protocol('got10k', ['AO'])(lambda s: s)

    def dummy(sequences, scale=1.0):
        return {'overall': {'N': scale * len(sequences)}, 'per_sequence': {}}

    register_protocol('_dummy_test', ['N'], scale=2.0)(dummy)
    try:
        assert evaluate_sequences('_dummy_test', {'a': {}})['overall'] == {
            'N': 2.0}
        assert evaluate_sequences('_dummy_test', {'a': {}},
                                  scale=3.0)['overall'] == {'N': 3.0}
    finally:
        SOT_PROTOCOLS.pop('_dummy_test')


# ---------------------------------------------------------- box functions


def test_bound_boxes_shift_quirk():
    boxes = np.array([[-50., 0, 100, 100], [600, 450, 100, 100],
                      [10, -30, 20, 100], [700, 10, 5, 5]])
    out = bound_boxes_got10k(boxes, (640, 480))
    np.testing.assert_array_equal(
        out,
        [[0, 0, 100, 100],  # left: shifted, not cropped
         [600, 450, 40, 30],  # right/bottom: cropped
         [10, 0, 20, 100],  # top: shifted
         [640, 10, 0, 5]])
    assert boxes[0, 0] == -50  # input untouched (toolkit works in place)


def test_iou_got10k_and_pixel():
    g = np.array([[0., 0, 100, 100]])
    assert iou_got10k(np.array([[0., 0, 50, 100]]), g)[0] == 0.5
    assert iou_pixel(np.array([[0., 0, 50, 100]]), g)[0] == 0.5
    # disjoint / zero size
    assert iou_got10k(np.array([[200., 0, 10, 10]]), g)[0] == 0
    assert iou_got10k(np.array([[0., 0, 0, 0]]), g)[0] == 0
    # NaN propagates in got10k's IoU
    assert np.isnan(iou_got10k(np.array([[np.nan, 0, 10, 10]]), g)[0])
    # +1 form round-off: identical non-integer boxes may exceed 1
    b = np.array([[258.95, 162.44, 90.91, 127.81]])
    assert iou_pixel(b, b)[0] > 1.0
    assert iou_got10k(b, b)[0] == 1.0


def test_center_errors():
    g = np.array([[10., 20, 30, 40]])
    p = np.array([[13., 24, 30, 40]])
    assert center_error(p, g)[0] == 5.0
    # centre x + (w - 1) / 2: a width change moves the centre by half of it
    assert center_error(np.array([[10., 20, 32, 40]]), g)[0] == 1.0
    np.testing.assert_allclose(
        normalized_center_error(p, g)[0], np.hypot(3 / 30, 4 / 40))


# ---------------------------------------------------------------- got10k


def _got(pred, gt, **kw):
    kw.setdefault('resolution', (640, 480))
    return evaluate_sequences('got10k', {'s': _seq(pred, gt, **kw)})


def test_got10k_frame0_excluded():
    gt = [[10, 10, 50, 50]] * 3
    pred = [[300, 300, 10, 10], [10, 10, 50, 50], [10, 10, 50, 50]]
    r = _got(pred, gt)
    assert r['overall']['AO'] == 1.0
    assert r['overall']['SR0.5'] == 1.0
    assert r['overall']['num_frames'] == 2
    assert r['per_sequence']['s']['length'] == 2


def test_got10k_cover_zero_excluded():
    gt = [[10, 10, 50, 50]] * 4
    pred = [[10, 10, 50, 50], [10, 10, 50, 50], [400, 400, 5, 5],
            [10, 10, 25, 50]]
    r = _got(pred, gt, cover=[8, 8, 0, 5])
    assert r['overall']['num_frames'] == 2
    assert r['overall']['AO'] == pytest.approx(0.75, abs=1e-15)
    # cover unknown (-1): fall back to absent; unknown absent keeps it
    r = _got(pred, gt, cover=[-1, -1, -1, -1], absent=[0, 0, 1, 0])
    assert r['overall']['num_frames'] == 2
    r = _got(pred, gt)
    assert r['overall']['num_frames'] == 3


def test_got10k_threshold_is_strict():
    gt = [[0, 0, 100, 100]] * 4
    pred = [[0, 0, 100, 100], [0, 0, 50, 100],  # IoU exactly 0.5
            [0, 0, 75, 100],  # IoU exactly 0.75
            [0, 0, 76, 100]]
    r = _got(pred, gt)['overall']
    assert r['SR0.5'] == pytest.approx(2 / 3)
    assert r['SR0.75'] == pytest.approx(1 / 3)
    assert r['AO'] == pytest.approx((0.5 + 0.75 + 0.76) / 3)


def test_got10k_left_top_shift_and_resolution_order():
    gt = [[0, 0, 40, 100]] * 2 + [[600, 0, 40, 100], [0, 0, 50, 70],
                                  [0, 400, 100, 80]]
    pred = [[0, 0, 40, 100], [-60, 0, 100, 100], [600, 0, 100, 100],
            [0, -30, 50, 100], [0, 400, 100, 100]]
    r = _got(pred, gt)['per_sequence']['s']
    # left: shifted -> 0.4 (correct cropping would be 1.0); right: cropped
    # -> 1.0; top: shifted -> 0.7; bottom: cropped (H = 480) -> 1.0
    assert r['AO'] == pytest.approx((0.4 + 1.0 + 0.7 + 1.0) / 4)
    # without resolution: no bound
    r = _got(pred, gt, resolution=None)['per_sequence']['s']
    assert r['AO'] == pytest.approx((0.4 + 0.4 + 0.7 + 0.8) / 4)
    # (W, H) order: swapped, the right-side box would leave the image
    r = _got(pred, gt, resolution=(480, 640))['per_sequence']['s']
    assert r['AO'] == pytest.approx((0.4 + 0.0 + 0.7 + 0.8) / 4)


def test_got10k_nan_prediction():
    gt = [[10, 10, 50, 50]] * 3
    pred = [[10, 10, 50, 50], [np.nan] * 4, [10, 10, 50, 50]]
    r = _got(pred, gt)
    assert np.isnan(r['overall']['AO'])
    assert np.isnan(r['per_sequence']['s']['AO'])
    assert r['overall']['SR0.5'] == 0.5  # NaN counts as a failure


def test_got10k_pools_frames_and_repetitions():
    gt_a = [[0, 0, 100, 100]] * 3  # 2 scored frames, IoU 1 and 0.5
    pred_a = [[0, 0, 100, 100], [0, 0, 100, 100], [0, 0, 50, 100]]
    gt_b = [[0, 0, 100, 100]] * 2  # 1 scored frame, IoU 0
    pred_b = [[0, 0, 100, 100], [300, 300, 10, 10]]
    r = evaluate_sequences('got10k', {
        'a': _seq(pred_a, gt_a),
        'b': _seq(pred_b, gt_b)
    })
    assert r['overall']['AO'] == pytest.approx(1.5 / 3)  # not (0.75 + 0) / 2
    assert r['per_sequence']['a']['AO'] == pytest.approx(0.75)
    # repetitions are pooled too: (R, N, 4)
    reps = np.stack([pred_a, np.asarray(gt_a, float)])
    r = evaluate_sequences('got10k', {'a': _seq(reps, gt_a)})
    assert r['overall']['num_frames'] == 4
    assert r['overall']['AO'] == pytest.approx(3.5 / 4)
    with pytest.raises(ValueError, match="'a'.*shape"):
        evaluate_sequences('got10k', {'a': _seq(pred_a[:2], gt_a)})


def test_got10k_times_fps():
    gt = [[0, 0, 10, 10]] * 3
    r = _got(gt, gt, times=[0.5, 0.1, np.nan])
    assert r['overall']['FPS'] == pytest.approx((2 + 10) / 2)


# ------------------------------------------------------------------ OPE


def _ope(protocol, pred, gt, **kw):
    return evaluate_sequences(protocol, {'s': _seq(pred, gt)}, **kw)


@pytest.mark.parametrize('protocol', ['ostrack', 'pytracking'])
def test_ope_frame0_forced_to_gt(protocol):
    gt = [[10, 10, 50, 50]] * 2
    pred = [[300, 300, 5, 5], [10, 10, 50, 50]]
    r = _ope(protocol, pred, gt)['overall']
    # IoU exactly 1 is not > 1.0: 20 of 21 thresholds
    assert r['AUC'] == pytest.approx(20 / 21)
    assert r['P'] == 1.0 and r['P_norm'] == 1.0
    assert r['OP50'] == 1.0 and r['OP75'] == 1.0


def test_ope_gt_on_border_pytracking_vs_ostrack():
    gt = [[0, 10, 50, 50], [5, 0, 50, 50], [5, 5, 50, 50]]
    pred = gt
    ost = _ope('ostrack', pred, gt)['overall']
    pyt = _ope('pytracking', pred, gt)['overall']
    assert ost['AUC'] == pytest.approx(20 / 21)
    assert ost['P'] == 1.0
    # pytracking: x == 0 or y == 0 -> invalid: overlap fail, precision
    # fail (inf), normalised precision hit (-1)
    assert pyt['AUC'] == pytest.approx(20 / 21 / 3)
    assert pyt['P'] == pytest.approx(1 / 3)
    assert pyt['P_norm'] == 1.0
    per = _ope('pytracking', pred, gt)['per_sequence']['s']
    assert per['num_valid'] == 1 and per['num_frames'] == 3


def test_ope_invalid_gt_and_exclude_invalid_frames():
    gt = [[10, 10, 50, 50], [10, 10, 0, 50], [10, 10, 50, 0],
          [10, 10, 50, 50]]
    pred = [[10, 10, 50, 50]] * 4
    r = _ope('ostrack', pred, gt)['overall']
    assert r['OP50'] == 0.5 and r['P'] == 0.5 and r['P_norm'] == 1.0
    r = _ope('ostrack', pred, gt, exclude_invalid_frames=True)['overall']
    # toolkit quirk: invalid frames still count as normalised-precision hits
    # while the denominator only counts valid frames, so P_norm can exceed 1
    assert r['OP50'] == 1.0 and r['P'] == 1.0 and r['P_norm'] == 2.0
    with pytest.raises(ValueError, match="'s'.*length zero"):
        _ope('ostrack', pred, [[1, 1, 0, 0]] * 4, exclude_invalid_frames=True)


def test_ope_zero_size_repair_cascades():
    gt = [[10, 10, 50, 50]] * 4
    pred = [[0, 0, 0, 0], [10, 10, 50, 50], [99, 99, 0, 50], [5, 5, 0, 0]]
    r = _ope('ostrack', pred, gt)['overall']
    assert r['OP75'] == 1.0  # frames 2, 3 take frame 1's box
    # a zero-size box whose GT row is NaN is not replaced (uav mode) and
    # is the repair source of the next frame
    gt_nan = [[10, 10, 50, 50], [np.nan] * 4, [10, 10, 50, 50],
              [10, 10, 50, 50]]
    pred = [[10, 10, 50, 50], [20, 20, 0, 0], [30, 30, 0, 0],
            [10, 10, 50, 50]]
    res = evaluate_sequences(
        'ostrack', {'s': _seq(pred, gt_nan)}, dataset='uav')
    # frame 1 invalid GT; frame 2 takes frame 1's (unrepaired) zero box
    assert res['per_sequence']['s']['OP50'] == 0.5
    with pytest.raises(ValueError, match=r"'s'.*NaN in the GT.*\[1\]"):
        evaluate_sequences('ostrack', {'s': _seq(pred, gt_nan)})


@pytest.mark.parametrize('bad', [[np.nan, 1, 2, 3], [1, 1, -2, 3]])
def test_ope_invalid_prediction_raises(bad):
    gt = [[10, 10, 50, 50]] * 3
    pred = [[10, 10, 50, 50], bad, [10, 10, 50, 50]]
    with pytest.raises(ValueError, match=r"'s'.*frames \[1\]"):
        _ope('pytracking', pred, gt)


def test_ope_identical_noninteger_boxes_count_at_threshold_one():
    # frame 0 is forced to the non-integer GT; the +1 form gives IoU > 1
    gt = [[258.95, 162.44, 90.91, 127.81]] * 2
    pred = [[0, 0, 1, 1], [258.95, 162.44, 90.91, 127.81]]
    r = _ope('ostrack', pred, gt)['overall']
    assert r['AUC'] == 1.0


def test_ope_lasot_target_visible():
    gt = [[10, 10, 50, 50]] * 4
    pred = gt
    seq = _seq(pred, gt, target_visible=[True, True, False, True])
    r = evaluate_sequences('pytracking', {'s': seq})
    o = r['overall']
    assert o['OP50'] == 0.75 and o['P'] == 0.75 and o['P_norm'] == 0.75
    assert r['per_sequence']['s']['num_frames'] == 4
    # LaSOT mode refuses a short prediction; other sequences are padded
    short = _seq(pred[:3], gt, target_visible=[True] * 4)
    with pytest.raises(ValueError, match='LaSOT mode'):
        evaluate_sequences('pytracking', {'s': short})
    r = _ope('ostrack', pred[:3], gt)['overall']
    assert r['OP50'] == 0.75  # padded zero box fails
    r = _ope('ostrack', pred + [[0, 0, 1, 1]], gt)['overall']
    assert r['OP50'] == 1.0  # longer prediction truncated


def test_ope_sequence_mean_and_curves():
    seqs = {
        'a': _seq([[0, 0, 10, 10]] * 2, [[0, 0, 10, 10]] * 2),
        'b': _seq([[0, 0, 10, 10]] * 4,
                  [[0, 0, 10, 10]] + [[50, 50, 10, 10]] * 3),
    }
    r = evaluate_sequences('ostrack', seqs)
    # per-sequence curves averaged over sequences, not pooled frames
    assert r['overall']['OP50'] == pytest.approx((1 + 0.25) / 2)
    assert r['curves']['success'].shape == (21, )
    assert r['curves']['precision'].shape == (51, )


def test_overlap_thresholds_match_torch():
    torch = pytest.importorskip('torch')
    ref = torch.arange(0.0, 1.05, 0.05, dtype=torch.float64).numpy()
    np.testing.assert_array_equal(OVERLAP_THRESHOLDS, ref)
