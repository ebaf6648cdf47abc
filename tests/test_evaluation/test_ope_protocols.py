"""OPE protocols ``uav``, ``lasot_matlab``, ``trackingnet`` and the corner
cases of ``pytracking`` / ``ostrack`` (evaluation.md sections 2.2-2.4, 3),
hand-computed."""
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest

from mmtrack_ext.evaluation import evaluate_sequences
from mmtrack_ext.evaluation.functional import (
    DEFAULT_PROTOCOLS, OPE_KEYS, SOT_PROTOCOLS, default_protocol,
    get_protocol, iou_rect_int, matlab_colon, ope_sequence_errors,
    trackingnet_box_errors)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
EPS = 2.0**-52  # MATLAB eps
OPE_PROTOCOLS = ('ostrack', 'pytracking', 'uav', 'otb', 'lasot_matlab',
                 'trackingnet')


def _seq(pred, gt, **kw):
    return dict(pred=np.asarray(pred, float), gt=np.asarray(gt, float), **kw)


def _one(protocol, pred, gt, **kw):
    options = kw.pop('options', {})
    return evaluate_sequences(protocol, {'s': _seq(pred, gt, **kw)},
                              **options)


def _random_clean(rng, num=8):
    seqs = {}
    for i in range(num):
        n = int(rng.integers(5, 80))
        gt = np.round(
            np.stack([
                rng.uniform(1, 500, n), rng.uniform(1, 400, n),
                rng.uniform(5, 150, n), rng.uniform(5, 150, n)
            ], 1))
        pred = gt + rng.normal(0, 10, gt.shape)
        pred[:, 2:] = np.abs(pred[:, 2:]) + 1
        seqs[f's{i}'] = _seq(pred, gt)
    return seqs


# ------------------------------------------------------------- registry


def test_every_ope_protocol_returns_the_common_structure():
    seqs = _random_clean(np.random.default_rng(0))
    for name in OPE_PROTOCOLS:
        assert get_protocol(name).metric_keys == OPE_KEYS
        r = evaluate_sequences(name, seqs)
        assert set(r) == {'overall', 'per_sequence', 'curves'}
        assert set(r['per_sequence']) == set(seqs)
        for k in OPE_KEYS:
            assert 0.0 <= r['overall'][k] <= 1.0, (name, k)
            for per in r['per_sequence'].values():
                assert 0.0 <= per[k] <= 1.0, (name, k)
        assert r['overall']['num_sequences'] == len(seqs)


def test_clean_integer_data_all_mean_flavours_agree():
    """evaluation.md sec. 6: on clean integer GT (x, y > 0) every OPE
    flavour except TrackingNet gives the same numbers."""
    seqs = _random_clean(np.random.default_rng(1), 12)
    ref = evaluate_sequences('ostrack', seqs)['overall']
    for name in ('pytracking', 'uav', 'otb', 'lasot_matlab'):
        r = evaluate_sequences(name, seqs)['overall']
        for k in OPE_KEYS:
            assert abs(r[k] - ref[k]) < 1e-12, (name, k)
    tn = evaluate_sequences('trackingnet', seqs)['overall']
    assert abs(tn['AUC'] - ref['AUC']) > 1e-6  # trapz, >=, rounding


def test_unknown_option_is_refused():
    gt = [[10, 10, 20, 20]] * 2
    with pytest.raises(TypeError, match="'otb' takes no option.*dataset"):
        _one('otb', gt, gt, options=dict(dataset='uav'))
    with pytest.raises(TypeError, match='exclude_invalid_frames'):
        _one('trackingnet', gt, gt, options=dict(exclude_invalid_frames=1))
    with pytest.raises(ValueError, match='threshold_grid'):
        _one('lasot_matlab', gt, gt, options=dict(threshold_grid='numpy'))
    with pytest.raises(ValueError, match="'s'.*length zero"):
        evaluate_sequences('trackingnet', {'s': _seq(np.zeros((0, 4)),
                                                      np.zeros((0, 4)))})


def test_default_protocols():
    assert set(DEFAULT_PROTOCOLS) == {
        'got10k', 'lasot', 'lasot_ext', 'trackingnet', 'uav123', 'nfs',
        'otb100', 'tnl2k', 'vot2020'
    }
    for bench, name in DEFAULT_PROTOCOLS.items():
        if name != 'vot2020':  # registered by the VOT module
            assert name in SOT_PROTOCOLS, bench
    assert DEFAULT_PROTOCOLS['vot2020'] == 'vot2020'
    assert default_protocol('LaSOT') == ('ostrack', {'dataset': 'lasot'})
    assert default_protocol('uav123') == ('uav', {})
    name, opts = default_protocol('lasot_ext')
    gt = [[10, 10, 20, 20]] * 3
    evaluate_sequences(name, {'s': _seq(gt, gt, target_visible=[1, 1, 0])},
                       **opts)
    with pytest.raises(KeyError, match='no default protocol'):
        default_protocol('imagenet')


# ---------------------------------------------- pytracking / ostrack matrix


@pytest.mark.parametrize('protocol', ['ostrack', 'pytracking'])
def test_matrix_iou_on_threshold_is_strict(protocol):
    gt = [[10, 10, 100, 100]] * 3
    pred = [gt[0], [10, 10, 50, 100], [10, 10, 75, 100]]  # 0.5, 0.75
    err = ope_sequence_errors(pred, gt, protocol)
    np.testing.assert_allclose(err.overlap, [1, 0.5, 0.75], atol=1e-15)
    r = _one(protocol, pred, gt)['overall']
    assert r['OP50'] == pytest.approx(2 / 3)  # 0.5 is not > 0.5
    assert r['OP75'] == pytest.approx(1 / 3)


@pytest.mark.parametrize('protocol', ['ostrack', 'pytracking'])
def test_matrix_center_error_on_threshold_counts(protocol):
    gt = [[10, 10, 100, 100]] * 2
    pred = [gt[0], [22, 26, 100, 100]]  # exactly 20 px (12, 16)
    r = _one(protocol, pred, gt)['overall']
    assert r['P'] == 1.0
    pred = [gt[0], [22, 26.001, 100, 100]]
    assert _one(protocol, pred, gt)['overall']['P'] == 0.5


@pytest.mark.parametrize('protocol', ['ostrack', 'pytracking'])
def test_matrix_box_outside_image_is_not_clipped(protocol):
    gt = [[1, 1, 49, 100]] * 2
    pred = [gt[0], [-50, 1, 100, 100]]
    err = ope_sequence_errors(pred, gt, protocol)
    assert err.overlap[1] == pytest.approx(0.49, abs=1e-15)


def test_matrix_nan_or_negative_rows_past_the_gt_still_raise():
    gt = [[10, 10, 20, 20]] * 2
    for bad in ([np.nan] * 4, [1, 1, -1, 1]):
        pred = gt + [bad]
        with pytest.raises(ValueError, match=r"'s'.*frames \[2\]"):
            _one('ostrack', pred, gt)


@pytest.mark.parametrize('protocol', ['ostrack', 'pytracking'])
def test_matrix_absent_zero_gt(protocol):
    gt = [[10, 10, 20, 20], [0, 0, 0, 0], [10, 10, 20, 20],
          [10, 10, 20, 20]]
    pred = [[10, 10, 20, 20]] * 4
    # generic: invalid GT fails overlap and precision, normalised hit
    r = _one(protocol, pred, gt)['overall']
    assert (r['OP50'], r['P'], r['P_norm']) == (0.75, 0.75, 1.0)
    # LaSOT mode (the frame is also invisible): every metric fails, the
    # denominator stays all frames
    vis = [True, False, True, True]
    r = _one(protocol, pred, gt, target_visible=vis)['overall']
    assert (r['OP50'], r['P'], r['P_norm']) == (0.75, 0.75, 0.75)


def test_lasot_ext_dataset_name_is_not_lasot_mode():
    """pytracking/OSTrack name LaSOT_ext sequences 'lasot_extension_subset':
    visibility enters the validity only; invisible frames are normalised
    precision hits and short results are padded instead of refused."""
    gt = [[10, 10, 20, 20]] * 4
    pred = gt
    vis = [True, True, False, True]
    ext = _one('ostrack', pred, gt, target_visible=vis,
               options=dict(dataset='lasot_extension_subset'))['overall']
    assert (ext['OP50'], ext['P'], ext['P_norm']) == (0.75, 0.75, 1.0)
    lasot = _one('ostrack', pred, gt, target_visible=vis,
                 options=dict(dataset='lasot'))['overall']
    assert lasot['P_norm'] == 0.75
    # auto (dataset=None): LaSOT mode when target_visible is given
    auto = _one('ostrack', pred, gt, target_visible=vis)['overall']
    assert auto == lasot
    r = _one('ostrack', pred[:3], gt, target_visible=[True] * 4,
             options=dict(dataset='lasot_extension_subset'))['overall']
    assert r['OP50'] == 0.75  # padded zero box
    with pytest.raises(ValueError, match='LaSOT mode'):
        _one('ostrack', pred[:3], gt, options=dict(dataset='lasot'))


def test_mean_iou_is_avg_overlap_of_valid_frames():
    gt = [[10, 10, 100, 100], [10, 10, 0, 100], [10, 10, 100, 100]]
    pred = [[0, 0, 5, 5], [10, 10, 50, 100], [10, 10, 50, 100]]
    per = _one('ostrack', pred, gt)['per_sequence']['s']
    assert per['mean_iou'] == pytest.approx((1 + 0.5) / 2)
    assert per['num_valid'] == 2 and per['num_frames'] == 3


# ------------------------------------------------------------------- uav


def test_uav_nan_gt_rows_fail_overlap_but_hit_precision():
    gt = [[10, 10, 50, 50], [12, 10, 50, 50], [np.nan] * 4,
          [14, 10, 50, 50], [16, 10, 50, 50]]
    pred = [[10, 10, 50, 50], [12, 10, 50, 50], [300, 300, 0, 0],
            [14, 10, 50, 50], [16, 10, 50, 50]]
    r = _one('uav', pred, gt)
    o = r['overall']
    assert o['AUC'] == pytest.approx(4 / 5 * 20 / 21)
    assert o['OP50'] == 0.8
    assert o['P'] == 1.0 and o['P_norm'] == 1.0
    assert r['per_sequence']['s']['num_frames'] == 5  # all frames
    # got10k's ExperimentUAV123 drops the row instead
    d = _one('otb', pred, gt, options=dict(drop_nan_gt=True))['overall']
    assert d['AUC'] == pytest.approx(20 / 21) and d['P'] == 1.0
    # the other OPE protocols refuse NaN GT
    with pytest.raises(ValueError, match=r"NaN in the GT.*\[2\]"):
        _one('ostrack', pred, gt)
    # pytracking's own validity (x, y > 0) is available as an option
    gt[0] = [0, 10, 50, 50]
    r = _one('uav', pred, gt, options=dict(flavour='pytracking'))['overall']
    assert r['OP50'] == 0.6 and r['P'] == 1.0


def test_uav_zero_size_box_in_nan_gt_frame_is_kept():
    gt = [[10, 10, 50, 50], [np.nan] * 4, [10, 10, 50, 50]]
    pred = [[10, 10, 50, 50], [10, 10, 0, 0], [10, 10, 0, 50]]
    err = ope_sequence_errors(pred, gt, 'ostrack', dataset='uav')
    # frame 2 takes frame 1's zero box (not repaired: NaN GT) -> IoU 0
    np.testing.assert_array_equal(err.overlap, [1, -1, 0])
    np.testing.assert_array_equal(err.center[1], -1)


# ---------------------------------------------------------- lasot_matlab


def test_matlab_colon_grid():
    t = matlab_colon(0.0, 0.05, 1.0)
    assert len(t) == 21 and t[0] == 0 and t[10] == 0.5 and t[20] == 1.0
    assert t[13] == 1 - 7 * 0.05 < 0.65  # built from the upper end
    assert t[3] == 3 * 0.05


def test_lasot_matlab_repairs_invalid_predictions():
    gt = [[10, 10, 40, 40]] * 6
    pred = [[300, 300, 1, 1],  # frame 0: replaced by GT after the repair
            [10, 10, 40, 40],
            [np.nan, 10, 40, 40],  # any NaN -> previous
            [10, 10, 0, 40],  # w <= 0 -> previous (cascade)
            [10, 10, 40, -3],  # h < 0 -> previous
            [20, 10, 40, 40]]
    err = ope_sequence_errors(pred, gt, 'lasot_matlab')
    np.testing.assert_allclose(err.overlap, [1, 1, 1, 1, 1, 30 / 50])
    # pytracking would raise on the NaN / negative rows
    with pytest.raises(ValueError, match='invalid predictions'):
        ope_sequence_errors(pred, gt, 'pytracking')
    # frame 1 invalid: frame 2 repairs from frame 0's *original* box (the
    # GT replacement of frame 0 comes after the repair)
    pred2 = [[300, 300, 1, 1], [np.nan] * 4, [10, 10, 40, 40]]
    err = ope_sequence_errors(pred2, gt[:3], 'lasot_matlab')
    np.testing.assert_allclose(err.overlap, [1, 0, 1])


def test_lasot_matlab_nan_gt_row_blocks_repair_and_nan_max_min():
    gt = [[10, 10, 40, 40], [np.nan] * 4, [10, 10, 40, 40]]
    pred = [[10, 10, 40, 40], [np.nan, 10, 40, 40], [5, 5, 0, 0]]
    err = ope_sequence_errors(pred, gt, 'lasot_matlab')
    # frame 1: GT has NaN -> no repair, invalid: overlap -1, centre -1
    assert err.overlap[1] == -1 and err.center[1] == -1
    # frame 2 takes frame 1's box (NaN x): MATLAB max/min ignore the NaN,
    # so the x-overlap is the GT's full width: 40 * 40 / (1600 + 1600 -
    # 1600) = 1; its centre error is NaN (a failure)
    assert err.overlap[2] == 1.0
    assert np.isnan(err.center[2])
    np.testing.assert_allclose(
        iou_rect_int(np.array([[np.nan, 10, 40, 40]]),
                     np.array([[20, 10, 40, 40]])), [1.0])
    assert np.isnan(iou_rect_int(np.array([[10, 10, np.nan, 40]]),
                                 np.array([[20, 10, 40, 40]]))[0])


def test_lasot_matlab_absent_frames_and_invalid_gt():
    gt = [[10, 10, 40, 40], [0, 0, 0, 0], [0, 10, 40, 40],
          [10, 10, 40, 40]]
    pred = [[10, 10, 40, 40], [300, 300, 5, 5], [300, 300, 5, 5],
            [10, 10, 40, 40]]
    r = _one('lasot_matlab', pred, gt, absent=[0, 1, 0, 0])
    per = r['per_sequence']['s']
    # frame 1 absent: removed from the numerator, kept in the denominator;
    # frame 2 GT x == 0: overlap failure, centre errors -1 (hits)
    assert per['OP50'] == pytest.approx(2 / 4)
    assert per['P'] == pytest.approx(3 / 4)
    assert per['P_norm'] == pytest.approx(3 / 4)
    assert per['AUC'] == pytest.approx(2 / 4 * 20 / 21)
    assert per['num_frames'] == 4 and per['num_valid'] == 2
    # without absent flags target_visible is used (absent = not visible)
    r2 = _one('lasot_matlab', pred, gt, target_visible=[1, 0, 1, 1])
    assert r2['per_sequence']['s'] == per
    # pytracking's LaSOT mode: precision fails on both frames instead
    r3 = _one('pytracking', pred, gt, target_visible=[1, 0, 1, 1])
    assert r3['overall']['P'] == 0.5


def test_lasot_matlab_denominator_has_eps():
    gt = [[10, 10, 40, 40]]
    per = _one('lasot_matlab', gt, gt)['per_sequence']['s']
    assert per['OP50'] == 1 / (1 + EPS) < 1.0
    per = _one('ostrack', gt, gt)['per_sequence']['s']
    assert per['OP50'] == 1.0


def test_lasot_matlab_threshold_grid():
    gt = [[10, 10, 100, 100]] * 2
    pred = [gt[0], [10, 10, 65, 100]]  # IoU exactly 0.65
    m = _one('lasot_matlab', pred, gt)['curves']['success']
    o = _one('lasot_matlab', pred, gt,
             options=dict(threshold_grid='octave'))['curves']['success']
    assert m[13] == 1.0  # 0.65 > 0.6499999999999999
    assert o[13] == 0.5  # 0.65 > 0.65 is false
    np.testing.assert_array_equal(np.delete(m, 13), np.delete(o, 13))


def test_lasot_matlab_drops_all_zero_curves_per_curve():
    gt = [[10, 10, 20, 20]] * 3
    far = [[200, 200, 20, 20]] * 3
    seqs = {
        'good': _seq(gt, gt),
        # frame 0 absent, the rest 30 px off without overlap: zero
        # success curve but a non-zero precision curve
        'miss': _seq([[40, 10, 20, 20]] * 3, gt, absent=[1, 0, 0]),
        # empty result: the toolkit leaves zeros, dropped everywhere
        'empty': _seq(np.zeros((0, 4)), gt),
        'far': _seq(far, gt, absent=[1, 0, 0]),
    }
    r = evaluate_sequences('lasot_matlab', seqs)
    used = r['curves']['sequences_averaged']
    assert used['success'] == ['good']
    assert used['precision'] == ['good', 'miss']
    assert r['overall']['AUC'] == pytest.approx(20 / 21)
    # 'miss' is 30 px off: in the precision mean, a hit from 30 px on
    assert r['overall']['P'] == pytest.approx(0.5)
    assert r['curves']['precision'][30] == pytest.approx((1 + 2 / 3) / 2)
    # the per-sequence scores are still reported
    assert r['per_sequence']['miss']['AUC'] == 0.0
    assert r['per_sequence']['empty']['P'] == 0.0
    # every sequence dropped: NaN (MATLAB mean of an empty matrix)
    r = evaluate_sequences('lasot_matlab', {'far': seqs['far']})
    assert np.isnan(r['overall']['AUC']) and np.isnan(r['overall']['P'])


def test_lasot_matlab_lengths():
    gt = [[10, 10, 20, 20]] * 3
    with pytest.raises(ValueError, match="'s'.*2 predictions for 3"):
        _one('lasot_matlab', gt[:2], gt)
    r = _one('lasot_matlab', gt + [[0, 0, 1, 1]], gt)['overall']
    assert r['OP50'] == pytest.approx(1.0)


# ----------------------------------------------------------- trackingnet


def test_trackingnet_hand_computed_trapezoid_scores():
    gt = [[0, 0, 100, 100]] * 2
    pred = [[500, 500, 1, 1], [0, 0, 50, 100]]  # IoU 0.5, 25 px, 0.25
    iou, dist, ndist = trackingnet_box_errors(np.asarray(pred[1:], float),
                                              np.asarray(gt[1:], float))
    assert (iou[0], dist[0], ndist[0]) == (0.5, 25.0, 0.25)
    r = _one('trackingnet', pred, gt)
    o = r['overall']
    # success: frame 0 at all 21 thresholds, frame 1 at t <= 0.5 (>=):
    # [1]*11 + [0.5]*10 -> 0.05 * (10 + 0.75 + 9 * 0.5)
    assert o['AUC'] == pytest.approx(0.7625, abs=1e-15)
    assert o['OP50'] == 1.0 and o['OP75'] == 0.5
    # precision 25 px is index 10 of linspace(0, 50, 21): [0.5]*10 + [1]*11
    assert o['P'] == pytest.approx(0.7625, abs=1e-15)
    assert o['P_norm'] == pytest.approx(0.7625, abs=1e-15)
    # perfect tracking: IoU 1 >= 1.0 counts, so the area is exactly 1
    o = _one('trackingnet', gt, gt)['overall']
    assert (o['AUC'], o['P'], o['P_norm']) == (1.0, 1.0, 1.0)


def test_trackingnet_rounding_half_to_even():
    gt = [[10, 10, 20, 20]] * 2
    pred = [gt[0], [10.5, 9.5, 20.5, 19.5]]  # -> (10, 10, 20, 20)
    o = _one('trackingnet', pred, gt)['overall']
    assert o['AUC'] == 1.0
    iou, _, _ = trackingnet_box_errors(
        np.array([[0.4, 0, 10.6, 10]]), np.array([[0., 0, 10, 10]]))
    assert iou[0] == pytest.approx(10 / 11)  # (0, 0, 11, 10)


def test_trackingnet_nan_missing_and_extra_rows():
    gt = [[10, 10, 20, 20]] * 4
    pred = [gt[0], [np.nan, 10, 20, 20], gt[0]]  # short by one
    r = _one('trackingnet', pred, gt)
    per = r['per_sequence']['s']
    # NaN x: pandas max/min skip it, so the intersection spans the GT
    # width, and the area only uses w, h: IoU 1 (a success), while the
    # centre distance is NaN (a failure); the missing last row fails both
    assert per['OP50'] == 0.75 and per['OP75'] == 0.75
    assert per['P'] < 1.0
    curves = r['curves']
    assert curves['precision'][-1] == 0.5
    assert r['overall']['coverage'] == 0.5
    r = _one('trackingnet', gt + [[0, 0, 0, 0]], gt)
    assert r['overall']['OP75'] == 1.0 and r['overall']['coverage'] == 1.0
    # zero boxes (the server's stand-in for a missing file): IoU 0
    r = _one('trackingnet', np.zeros((4, 4)), gt)
    assert r['overall']['OP50'] == 0.25
    assert r['overall']['coverage'] == 0.25  # frame 0 is the GT


def _trackingnet_slow(pred, gt):
    """Straightforward per-frame, per-threshold transcription of the
    server's formulas (independent of the vectorised protocol)."""
    n = len(gt)
    pred = np.vstack([pred[:n], np.full((max(n - len(pred), 0), 4),
                                        np.nan)])
    p, g = np.round(pred), np.round(gt)
    p[0] = g[0]
    ious, dists, ndists = [], [], []
    for (px, py, pw, ph), (gx, gy, gw, gh) in zip(p, g):

        def nanmax(a, b):
            return b if np.isnan(a) else (a if np.isnan(b) else max(a, b))

        def nanmin(a, b):
            return b if np.isnan(a) else (a if np.isnan(b) else min(a, b))

        iw = np.round(nanmin(gx + gw - 1, px + pw - 1) - nanmax(gx, px) + 1)
        ih = np.round(nanmin(gy + gh - 1, py + ph - 1) - nanmax(gy, py) + 1)
        iw = iw if np.isnan(iw) else max(iw, 0.0)
        ih = ih if np.isnan(ih) else max(ih, 0.0)
        with np.errstate(all='ignore'):
            ious.append(np.float64(iw * ih) / (gh * gw + ph * pw - iw * ih))
            dx = (gx + (gw + 1) / 2) - (px + (pw + 1) / 2)
            dy = (gy + (gh + 1) / 2) - (py + (ph + 1) / 2)
            dists.append(np.sqrt(dx * dx + dy * dy))
            ndists.append(np.sqrt(dx / gw * dx / gw + dy / gh * dy / gh))
    s = [np.mean([i >= t for i in ious]) for t in np.linspace(0, 1, 21)]
    pr = [np.mean([d <= t for d in dists]) for t in np.linspace(0, 50, 21)]
    npr = [np.mean([d <= t for d in ndists])
           for t in np.linspace(0, 0.5, 21)]
    return np.array(s), np.array(pr), np.array(npr)


def test_trackingnet_matches_slow_transcription():
    rng = np.random.default_rng(7)
    seqs = {}
    for i in range(10):
        n = int(rng.integers(2, 60))
        gt = np.stack([rng.uniform(-5, 300, n), rng.uniform(-5, 300, n),
                       rng.uniform(0, 80, n), rng.uniform(0, 80, n)], 1)
        pred = gt + rng.normal(0, 6, gt.shape)
        pred[rng.integers(0, n, 3), rng.integers(0, 4, 3)] = np.nan
        pred[rng.integers(0, n), 2] *= -1
        pred = pred[:n + int(rng.integers(-3, 3))]
        seqs[f's{i}'] = dict(pred=pred, gt=gt)
    ours = evaluate_sequences('trackingnet', seqs)
    curves = [_trackingnet_slow(s['pred'], s['gt']) for s in seqs.values()]
    succ, prec, nprec = (np.sum(c, 0) / len(seqs) for c in zip(*curves))
    x = np.linspace(0, 1, 21)
    np.testing.assert_allclose(ours['curves']['success'], succ, atol=1e-12)
    np.testing.assert_allclose(ours['curves']['precision'], prec,
                               atol=1e-12)
    np.testing.assert_allclose(ours['curves']['norm_precision'], nprec,
                               atol=1e-12)
    area = np.trapezoid if hasattr(np, 'trapezoid') else np.trapz
    assert abs(ours['overall']['AUC'] - area(succ, x=x)) < 1e-12
    assert abs(ours['overall']['P'] - area(prec, x=x)) < 1e-12
    assert abs(ours['overall']['P_norm'] - area(nprec, x=x)) < 1e-12


# ------------------------------------------------------------- benchmark


def test_benchmark_eval_script(tmp_path):
    path = osp.join(ROOT, 'tools', 'analysis_tools', 'benchmark_eval.py')
    spec = importlib.util.spec_from_file_location('benchmark_eval', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / 'speed.json'
    seconds = mod.main(['--num-seqs', '3', '--length', '30', '--repeat', '1',
                        '--json', str(out)])
    data = json.loads(out.read_text())
    assert set(OPE_PROTOCOLS) <= set(data['seconds'])
    assert data['setup']['frames'] == 90
    assert all(v > 0 for v in seconds.values())
