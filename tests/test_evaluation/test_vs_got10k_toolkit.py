"""Cross-check against the official got10k toolkit (optional dependency:
``pip install got10k==0.1.3 six``)."""
import numpy as np
import pytest

from mmtrack_ext.evaluation import evaluate_sequences
from mmtrack_ext.evaluation.functional import center_error, iou_got10k

got10k_metrics = pytest.importorskip('got10k.utils.metrics')
got10k_exp = pytest.importorskip('got10k.experiments.got10k')
otb_exp = pytest.importorskip('got10k.experiments.otb')

TOL = 1e-9


def _random_sequences(rng, num, integer_gt=False, border=True):
    seqs = {}
    for i in range(num):
        n = int(rng.integers(2, 120))
        w_img, h_img = int(rng.integers(200, 800)), int(rng.integers(200, 600))
        lo = -30 if border else 1
        gt = np.stack([
            rng.uniform(lo, w_img - 20, n),
            rng.uniform(lo, h_img - 20, n),
            rng.uniform(2, 200, n),
            rng.uniform(2, 200, n)
        ], 1)
        if integer_gt:
            gt = np.round(gt)
            gt[:, :2] = np.maximum(gt[:, :2], lo)
        pred = gt + rng.normal(0, 12, gt.shape)
        pred[:, 2:] = np.abs(pred[:, 2:]) + 0.5
        cover = rng.integers(0, 9, n)
        seqs[f'seq{i:02d}'] = dict(
            pred=pred, gt=gt, cover=cover, resolution=(w_img, h_img))
    return seqs


def test_rect_iou_matches():
    rng = np.random.default_rng(1)
    a = rng.uniform(-100, 700, (500, 4))
    b = rng.uniform(-100, 700, (500, 4))
    a[:50, 2:] *= -0.1  # negative sizes: weird but clipped, both sides
    bound = (640, 480)
    ref = got10k_metrics.rect_iou(a.copy(), b.copy())
    np.testing.assert_allclose(iou_got10k(a, b), ref, rtol=0, atol=TOL)
    ref = got10k_metrics.rect_iou(a.copy(), b.copy(), bound=bound)
    np.testing.assert_allclose(
        iou_got10k(a, b, bound=bound), ref, rtol=0, atol=TOL)
    np.testing.assert_allclose(
        center_error(a, b), got10k_metrics.center_error(a, b), atol=TOL)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_got10k_protocol_matches_experiment(seed):
    rng = np.random.default_rng(seed)
    seqs = _random_sequences(rng, 25)
    # a NaN-free run and one sequence with 3 repetitions
    reps = [seqs['seq00']['pred']] + [
        seqs['seq00']['gt'] + rng.normal(0, 20, seqs['seq00']['gt'].shape)
        for _ in range(2)
    ]
    seqs['seq00'] = dict(seqs['seq00'], pred=reps)
    ours = evaluate_sequences('got10k', seqs)

    # the toolkit's ExperimentGOT10k.report, frame by frame
    evaluate = got10k_exp.ExperimentGOT10k._evaluate
    pooled = []
    for name, s in seqs.items():
        boxes = s['pred'] if isinstance(s['pred'], list) else [s['pred']]
        anno = s['gt'].copy()
        seq_ious = [
            got10k_metrics.rect_iou(
                b.copy()[1:], anno[1:], bound=s['resolution']) for b in boxes
        ]
        seq_ious = np.concatenate(
            [t[s['cover'][1:] > 0] for t in seq_ious])
        pooled.append(seq_ious)
        if len(seq_ious):
            ao, sr, _, curve = evaluate(None, seq_ious, [])
            per = ours['per_sequence'][name]
            assert abs(per['AO'] - ao) < TOL
            assert abs(per['SR0.5'] - sr) < TOL
            assert abs(per['SR0.75'] - curve[75]) < TOL
    ao, sr, _, curve = evaluate(None, np.concatenate(pooled), [])
    assert abs(ours['overall']['AO'] - ao) < TOL
    assert abs(ours['overall']['SR0.5'] - sr) < TOL
    assert abs(ours['overall']['SR0.75'] - curve[75]) < TOL
    np.testing.assert_allclose(ours['curves']['success'], curve, atol=TOL)


def test_got10k_nan_prediction_matches():
    rng = np.random.default_rng(5)
    seqs = _random_sequences(rng, 3)
    seqs['seq01']['pred'][3] = np.nan
    ours = evaluate_sequences('got10k', seqs)
    evaluate = got10k_exp.ExperimentGOT10k._evaluate
    ious = np.concatenate([
        got10k_metrics.rect_iou(
            s['pred'].copy()[1:], s['gt'].copy()[1:],
            bound=s['resolution'])[s['cover'][1:] > 0]
        for s in seqs.values()
    ])
    ao, sr, _, curve = evaluate(None, ious, [])
    assert np.isnan(ao) and np.isnan(ours['overall']['AO'])
    assert abs(ours['overall']['SR0.5'] - sr) < TOL
    assert abs(ours['overall']['SR0.75'] - curve[75]) < TOL


@pytest.mark.parametrize('protocol', ['ostrack', 'pytracking'])
def test_ope_matches_otb_experiment(protocol):
    """Where the conventions coincide (valid integer GT with x, y > 0, valid
    predictions) the OPE protocols equal got10k's ExperimentOTB."""
    rng = np.random.default_rng(3)
    seqs = _random_sequences(rng, 30, integer_gt=True, border=False)
    ours = evaluate_sequences(protocol, seqs)
    exp = otb_exp.ExperimentOTB.__new__(otb_exp.ExperimentOTB)
    exp.nbins_iou, exp.nbins_ce = 21, 51
    succ, prec = [], []
    for name, s in seqs.items():
        boxes = s['pred'].copy()
        boxes[0] = s['gt'][0]
        ious, ce = exp._calc_metrics(boxes, s['gt'])
        sc, pc = exp._calc_curves(ious, ce)
        succ.append(sc)
        prec.append(pc)
        per = ours['per_sequence'][name]
        assert abs(per['AUC'] - np.mean(sc)) < TOL
        assert abs(per['P'] - pc[20]) < TOL
        assert abs(per['OP50'] - sc[10]) < TOL
    succ, prec = np.mean(succ, 0), np.mean(prec, 0)
    assert abs(ours['overall']['AUC'] - np.mean(succ)) < TOL
    assert abs(ours['overall']['P'] - prec[20]) < TOL
    assert abs(ours['overall']['OP50'] - succ[10]) < TOL
    assert abs(ours['overall']['OP75'] - succ[15]) < TOL
    np.testing.assert_allclose(ours['curves']['precision'], prec, atol=TOL)


# --------------------------------------------------------------- otb / uav

uav_exp = pytest.importorskip('got10k.experiments.uav123')


def _edge_sequences(rng, num=20):
    """Random sequences plus every edge case the OTB experiment meets."""
    seqs = {}
    for i in range(num):
        n = int(rng.integers(3, 150))
        gt = np.stack([
            rng.uniform(-40, 600, n), rng.uniform(-40, 400, n),
            rng.uniform(0.5, 150, n), rng.uniform(0.5, 150, n)
        ], 1)
        if i % 2:
            gt = np.round(gt)
        pred = gt + rng.normal(0, 15, gt.shape)
        pred[:, 2:] = np.abs(pred[:, 2:])
        k = rng.integers(1, n, 6)
        pred[k[0], 2] = 0  # zero width
        pred[k[1]] = [0, 0, 0, 0]  # zero box
        pred[k[2], 2:] *= -1  # negative size
        pred[k[3], 0] = -500  # far outside on the left
        if i % 3 == 0:
            pred[k[4]] = np.nan  # NaN prediction
            pred[k[5], 1] = np.nan  # partly NaN
        gt[rng.integers(1, n)] = [0, 0, 0, 0]  # absent-style GT
        seqs[f'seq{i:02d}'] = dict(pred=pred, gt=gt)
    # identical boxes at the IoU thresholds and exactly 20 px away
    gt = np.array([[10., 10, 100, 100]] * 6)
    pred = np.array([[0, 0, 1, 1], [10, 10, 50, 100], [10, 10, 75, 100],
                     [30, 10, 100, 100], [22, 26, 100, 100],
                     [10, 10, 100, 100]])
    seqs['ties'] = dict(pred=pred, gt=gt)
    return seqs


def _otb_reference(exp, seqs):
    succ, prec, per = [], [], {}
    for name, s in seqs.items():
        boxes = s['pred'].copy()
        boxes[0] = s['gt'][0]
        ious, ce = exp._calc_metrics(boxes, s['gt'].copy())
        with np.errstate(invalid='ignore'):
            sc, pc = exp._calc_curves(ious, ce)
        succ.append(sc)
        prec.append(pc)
        per[name] = (np.mean(sc), pc[20], sc[10])
    return np.mean(succ, 0), np.mean(prec, 0), per


@pytest.mark.parametrize('seed', [0, 1])
def test_otb_protocol_matches_experiment(seed):
    seqs = _edge_sequences(np.random.default_rng(seed))
    ours = evaluate_sequences('otb', seqs)
    exp = otb_exp.ExperimentOTB.__new__(otb_exp.ExperimentOTB)
    exp.nbins_iou, exp.nbins_ce = 21, 51
    with np.errstate(invalid='ignore'):
        succ, prec, per = _otb_reference(exp, seqs)
    for name, (auc, p, sr) in per.items():
        got = ours['per_sequence'][name]
        assert abs(got['AUC'] - auc) < TOL, name
        assert abs(got['P'] - p) < TOL, name
        assert abs(got['OP50'] - sr) < TOL, name
    o = ours['overall']
    assert abs(o['AUC'] - np.mean(succ)) < TOL  # success_score
    assert abs(o['P'] - prec[20]) < TOL  # precision_score
    assert abs(o['OP50'] - succ[10]) < TOL  # success_rate
    np.testing.assert_allclose(ours['curves']['success'], succ, rtol=0,
                               atol=TOL)
    np.testing.assert_allclose(ours['curves']['precision'], prec, rtol=0,
                               atol=TOL)
    # the same per-frame IoU / centre error as got10k.utils.metrics
    s = seqs['seq03']
    boxes = s['pred'].copy()
    boxes[0] = s['gt'][0]
    np.testing.assert_allclose(
        iou_got10k(boxes, s['gt']),
        got10k_metrics.rect_iou(boxes.copy(), s['gt'].copy()),
        rtol=0, atol=TOL)


def test_otb_protocol_refuses_length_mismatch():
    gt = np.array([[10., 10, 20, 20]] * 3)
    with pytest.raises(ValueError, match="'a'.*2 predictions for 3"):
        evaluate_sequences('otb', {'a': dict(pred=gt[:2], gt=gt)})


@pytest.mark.parametrize('seed', [0, 4])
def test_otb_drop_nan_gt_matches_uav123_experiment(seed):
    rng = np.random.default_rng(seed)
    seqs = _edge_sequences(rng, 12)
    for i, s in enumerate(seqs.values()):
        rows = rng.integers(1, len(s['gt']), 1 + i % 4)
        s['gt'][rows] = np.nan  # UAV123: target out of view
    ours = evaluate_sequences('otb', seqs, drop_nan_gt=True)
    exp = uav_exp.ExperimentUAV123.__new__(uav_exp.ExperimentUAV123)
    exp.nbins_iou, exp.nbins_ce = 21, 51
    with np.errstate(invalid='ignore'):
        succ, prec, per = _otb_reference(exp, seqs)
    for name, (auc, p, sr) in per.items():
        got = ours['per_sequence'][name]
        assert abs(got['AUC'] - auc) < TOL, name
        assert abs(got['P'] - p) < TOL, name
        assert got['num_frames'] == (~np.isnan(seqs[name]['gt']).any(1)).sum()
    assert abs(ours['overall']['AUC'] - np.mean(succ)) < TOL
    assert abs(ours['overall']['P'] - prec[20]) < TOL
    # without dropping, NaN GT rows are failures (ExperimentOTB)
    plain = evaluate_sequences('otb', seqs)
    assert plain['overall']['AUC'] < ours['overall']['AUC']


def test_otb_all_nan_gt_sequence_gives_nan_like_the_toolkit():
    gt = np.array([[10., 10, 20, 20]] + [[np.nan] * 4] * 3)
    pred = np.array([[10., 10, 20, 20]] * 4)
    seqs = {'a': dict(pred=pred, gt=gt),
            'b': dict(pred=pred, gt=np.array([[10., 10, 20, 20]] * 4))}
    seqs['a']['gt'][0] = np.nan  # no frame left after dropping
    ours = evaluate_sequences('otb', seqs, drop_nan_gt=True)
    exp = uav_exp.ExperimentUAV123.__new__(uav_exp.ExperimentUAV123)
    exp.nbins_iou, exp.nbins_ce = 21, 51
    with np.errstate(invalid='ignore'), pytest.warns(RuntimeWarning):
        succ, _, _ = _otb_reference(exp, seqs)
    assert np.isnan(np.mean(succ)) and np.isnan(ours['overall']['AUC'])
    assert np.isnan(ours['per_sequence']['a']['AUC'])
    assert ours['per_sequence']['b']['AUC'] == pytest.approx(20 / 21)
