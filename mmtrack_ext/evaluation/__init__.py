"""Evaluation of mmtrack_ext: toolkit-exact metric functions, the
``SOTMetric`` for the MMEngine evaluator, result-file I/O, offline
evaluation of stored results per benchmark, resumable testing, server
submission packages and the protocol guard."""
from .functional import (DEFAULT_PROTOCOLS, SOT_PROTOCOLS, SOTProtocol,
                         default_protocol, evaluate_got10k, evaluate_ope,
                         evaluate_presence, evaluate_sequences,
                         evaluate_vot2020, get_protocol, list_protocols,
                         register_protocol)
from .guard import (ProtocolGuardError, ProtocolViolation, check_protocol,
                    protocol_guard)
from .metrics import SOTMetric, strip_metric_prefix
from .offline import (BENCHMARKS, BenchmarkGroundTruth, BenchmarkSpec,
                      ResultProblems, evaluate_raw_results, get_benchmark,
                      load_ground_truth, load_raw_results,
                      register_benchmark)
from .results_io import (LAYOUT_ALIASES, absence_path, as_written,
                         canonical_layout, confidence_path,
                         is_complete_result, read_absence, read_confidences,
                         read_got10k_repetitions, read_results,
                         read_sequence_results, read_times, result_path,
                         time_path, write_absence, write_confidences,
                         write_results, write_sequence_results, write_times)
from .resume import ResumePlan, apply_resume, plan_resume
from .submission import (SUBMISSION_FORMATS, SubmissionError,
                         SubmissionReport, check_submission,
                         expected_test_sequences, pack_submission)
from .vot_results import (fragment_regions_from_boxes, load_vot_results,
                          read_vot_sequence_results, read_vot_times,
                          read_vot_trajectory, vot_time_path,
                          vot_trajectory_path, write_vot_sequence_results,
                          write_vot_trajectory)

__all__ = [
    'SOT_PROTOCOLS', 'SOTProtocol', 'evaluate_got10k', 'evaluate_ope',
    'evaluate_sequences', 'get_protocol', 'list_protocols',
    'register_protocol', 'DEFAULT_PROTOCOLS', 'default_protocol',
    'evaluate_vot2020', 'SOTMetric', 'strip_metric_prefix',
    'read_got10k_repetitions', 'read_results', 'read_sequence_results',
    'read_times', 'result_path', 'time_path', 'write_results',
    'write_sequence_results', 'write_times', 'BENCHMARKS', 'BenchmarkSpec',
    'ResultProblems', 'evaluate_raw_results', 'load_raw_results',
    'register_benchmark', 'BenchmarkGroundTruth', 'get_benchmark',
    'load_ground_truth', 'LAYOUT_ALIASES', 'as_written', 'canonical_layout',
    'is_complete_result', 'ProtocolGuardError', 'ProtocolViolation',
    'check_protocol', 'protocol_guard', 'ResumePlan', 'apply_resume',
    'plan_resume', 'SUBMISSION_FORMATS', 'SubmissionError',
    'SubmissionReport', 'check_submission', 'expected_test_sequences',
    'pack_submission', 'fragment_regions_from_boxes', 'load_vot_results',
    'read_vot_sequence_results', 'read_vot_times', 'read_vot_trajectory',
    'vot_time_path', 'vot_trajectory_path', 'write_vot_sequence_results',
    'write_vot_trajectory', 'evaluate_presence', 'absence_path',
    'confidence_path', 'read_absence', 'read_confidences', 'write_absence',
    'write_confidences'
]
