"""Per-frame confidences: the files every tracker writes, the 'presence'
protocol (ROC AUC, VOT long-term Pr / Re / F) and reading them back."""
import itertools

import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData

from mmtrack_ext.evaluation import (SOTMetric, absence_path, confidence_path,
                                    evaluate_sequences, load_raw_results,
                                    read_absence, read_confidences,
                                    strip_metric_prefix, write_absence,
                                    write_sequence_results)
from mmtrack_ext.evaluation.functional import lt_thresholds, roc_auc
from mmtrack_ext.structures.sot_data_sample import SOTDataSample


def _pairwise_auc(scores, positive):
    """AUC by counting every (present, absent) pair: the definition."""
    pos = [s for s, p in zip(scores, positive) if p]
    neg = [s for s, p in zip(scores, positive) if not p]
    wins = sum(1.0 if a > b else 0.5 if a == b else 0.0
               for a, b in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


def test_roc_auc_matches_pair_counting_with_ties():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 6, 40) / 5.0  # many ties
    positive = rng.random(40) < 0.6
    assert roc_auc(scores, positive) == pytest.approx(
        _pairwise_auc(scores, positive), abs=1e-12)
    assert roc_auc([0.9, 0.8, 0.1], [True, True, False]) == 1.0
    assert roc_auc([0.1, 0.8, 0.9], [True, True, False]) == 0.0
    assert np.isnan(roc_auc([0.1, 0.2], [True, True]))


def test_lt_thresholds_follow_the_vot_toolkit():
    scores = np.linspace(0, 1, 1000)
    t = lt_thresholds(scores, resolution=100)
    assert len(t) == 100 and t[0] == np.inf and t[-1] == -np.inf
    assert np.all(np.diff(t[1:-1]) <= 0)  # descending
    # delta = floor(1000 / 98) = 10: the first is the 11th largest score
    assert t[1] == pytest.approx(np.sort(scores)[::-1][10])
    few = lt_thresholds([0.3, np.nan, 0.7], resolution=100)
    np.testing.assert_array_equal(few, [np.inf, 0.7, 0.3, -np.inf])


def test_long_term_precision_recall_by_hand():
    # one sequence, frames 1-4 scored; frame 3 absent (IoU counts 0)
    gt = np.array([[0, 0, 10, 10]] * 5, float)
    pred = gt.copy()
    pred[2] = [5, 0, 10, 10]  # IoU 1/3
    score = np.array([1.0, 0.9, 0.8, 0.2, 0.6])
    absent = np.array([0, 0, 0, 1, 0])
    seqs = dict(s=dict(pred=pred, gt=gt, score=score, absent=absent))
    out = evaluate_sequences('presence', seqs)
    o = out['overall']
    assert o['presence_AUC'] == 1.0 and o['num_absent'] == 1
    # at t = 0.6: frames 1, 2, 4 -> Pr = (1 + 1/3 + 1) / 3, Re = same sum / 3
    pr = (1 + 1 / 3 + 1) / 3
    re = (1 + 1 / 3 + 1) / 3
    assert o['LT_F'] == pytest.approx(2 * pr * re / (pr + re))
    assert o['LT_Pr'] == pytest.approx(pr) and o['LT_Re'] == pytest.approx(re)
    # at +inf no frame is above: precision 1, recall 0 (toolkit)
    assert out['curves']['precision'][0] == 1.0
    assert out['curves']['recall'][0] == 0.0
    with pytest.raises(ValueError, match='confidences'):
        evaluate_sequences('presence', dict(s=dict(pred=pred, gt=gt)))


def _sample(name, f, n, gt, pred, score, cover, absent_flag=None):
    s = SOTDataSample(metainfo=dict(
        video_name=name, video_id=0, frame_id=f, video_length=n,
        ori_shape=(100, 100)))
    s.gt_instances = InstanceData(
        bboxes=torch.tensor([gt], dtype=torch.float64),
        absent=torch.tensor([int(cover == 0)]),
        cover=torch.tensor([cover]),
        visible=torch.tensor([cover > 0]))
    pred_inst = InstanceData(bboxes=torch.tensor([pred]),
                             scores=torch.tensor([score]))
    if absent_flag is not None:
        pred_inst.absent = torch.tensor([absent_flag])
    s.pred_instances = pred_inst
    return s


def test_metric_writes_confidences_and_absence_and_reads_them_back(
        tmp_path):
    n = 6
    cover = [8, 8, 0, 0, 8, 8]
    score = [1.0, 0.91, 0.12, 0.2, 0.7, 0.85]
    root = str(tmp_path / 'res')
    metric = SOTMetric(protocol=['got10k', 'presence'], outfile_prefix=root)
    samples = [
        _sample('v', f, n, [10, 10, 40, 40], [11, 10, 41, 40], score[f],
                cover[f], absent_flag=f > 0 and score[f] < 0.5)
        for f in range(n)
    ]
    metric.process({}, samples)
    out = strip_metric_prefix(metric.evaluate(n))
    assert out['presence_AUC'] == 1.0
    assert 'num_absent' not in out
    np.testing.assert_allclose(
        read_confidences(confidence_path(root, 'v')), score, atol=1e-6)
    assert confidence_path(root, 'v').endswith('v/v_001_confidence.value')
    np.testing.assert_array_equal(read_absence(absence_path(root, 'v')),
                                  [0, 0, 1, 1, 0, 0])
    # offline: the confidences come back with the boxes
    preds, problems = load_raw_results(root, {'v': n})
    assert not problems.invalid
    np.testing.assert_allclose(preds['v']['score'], score, atol=1e-6)


def test_trackers_without_scores_or_absence_write_no_such_file(tmp_path):
    root = str(tmp_path / 'res')
    write_sequence_results(root, 'a', np.ones((3, 4)))
    preds, _ = load_raw_results(root, {'a': 3})
    assert 'score' not in preds['a']
    with pytest.raises(ValueError, match='2 scores for 3 boxes'):
        write_sequence_results(root, 'a', np.ones((3, 4)), scores=[1, 1])
    with pytest.raises(ValueError, match='0 or 1'):
        write_absence(str(tmp_path / 'x.label'), [0, 2])
