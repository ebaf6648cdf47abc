"""Evaluation of mmtrack_ext: toolkit-exact metric functions, the
``SOTMetric`` for the MMEngine evaluator, result-file I/O, offline
evaluation of stored results per benchmark, resumable testing, server
submission packages and the protocol guard."""
from .functional import (SOT_PROTOCOLS, SOTProtocol, evaluate_got10k,
                         evaluate_ope, evaluate_sequences, get_protocol,
                         list_protocols, register_protocol)
from .metrics import SOTMetric, strip_metric_prefix
from .offline import (BENCHMARKS, BenchmarkGroundTruth, BenchmarkSpec,
                      ResultProblems, evaluate_raw_results, get_benchmark,
                      load_ground_truth, load_raw_results,
                      register_benchmark)
from .guard import (ProtocolGuardError, ProtocolViolation, check_protocol,
                    protocol_guard)
from .results_io import (LAYOUT_ALIASES, as_written, canonical_layout,
                         is_complete_result, read_got10k_repetitions,
                         read_results, read_sequence_results, read_times,
                         result_path, time_path, write_results,
                         write_sequence_results, write_times)
from .resume import ResumePlan, apply_resume, plan_resume
from .submission import (SUBMISSION_FORMATS, SubmissionError,
                         SubmissionReport, check_submission,
                         expected_test_sequences, pack_submission)

__all__ = [
    'SOT_PROTOCOLS', 'SOTProtocol', 'evaluate_got10k', 'evaluate_ope',
    'evaluate_sequences', 'get_protocol', 'list_protocols',
    'register_protocol', 'SOTMetric', 'strip_metric_prefix',
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
    'pack_submission'
]
