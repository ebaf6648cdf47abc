"""Evaluation of mmtrack_ext: toolkit-exact metric functions, the
``SOTMetric`` for the MMEngine evaluator and result-file I/O."""
from .functional import (DEFAULT_PROTOCOLS, SOT_PROTOCOLS, SOTProtocol,
                         default_protocol, evaluate_got10k, evaluate_ope,
                         evaluate_sequences, get_protocol, list_protocols,
                         register_protocol)
from .metrics import SOTMetric, strip_metric_prefix
from .offline import (BENCHMARKS, BenchmarkSpec, ResultProblems,
                      evaluate_raw_results, load_raw_results,
                      register_benchmark)
from .results_io import (read_got10k_repetitions, read_results,
                         read_sequence_results, read_times, result_path,
                         time_path, write_results, write_sequence_results,
                         write_times)
from .functional import evaluate_vot2020
from .vot_results import (fragment_regions_from_boxes, load_vot_results,
                          read_vot_sequence_results, read_vot_times,
                          read_vot_trajectory, vot_time_path,
                          vot_trajectory_path, write_vot_sequence_results,
                          write_vot_trajectory)

__all__ = [
    'SOT_PROTOCOLS', 'SOTProtocol', 'evaluate_got10k', 'evaluate_ope',
    'evaluate_sequences', 'get_protocol', 'list_protocols',
    'register_protocol', 'DEFAULT_PROTOCOLS', 'default_protocol',
    'SOTMetric', 'strip_metric_prefix',
    'read_got10k_repetitions', 'read_results', 'read_sequence_results',
    'read_times', 'result_path', 'time_path', 'write_results',
    'write_sequence_results', 'write_times', 'BENCHMARKS', 'BenchmarkSpec',
    'ResultProblems', 'evaluate_raw_results', 'load_raw_results',
    'register_benchmark', 'evaluate_vot2020', 'fragment_regions_from_boxes',
    'load_vot_results', 'read_vot_sequence_results', 'read_vot_times',
    'read_vot_trajectory', 'vot_time_path', 'vot_trajectory_path',
    'write_vot_sequence_results', 'write_vot_trajectory'
]
