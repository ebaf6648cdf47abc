"""Pure numpy SOT metric functions and the registry of named protocols.

``evaluate_sequences(protocol, sequences)`` is the entry point; the
protocols ``'got10k'``, ``'ostrack'`` and ``'pytracking'`` reproduce the
official toolkits (see each module's docstring).
"""
from .box_metrics import (bound_boxes_got10k, center_error, iou_got10k,
                          iou_pixel, normalized_center_error)
from .got10k import (GOT10K_KEYS, GOT10K_THRESHOLDS, evaluate_got10k,
                     got10k_valid_frames)
from .ope import (CENTER_THRESHOLDS, NORM_CENTER_THRESHOLDS, OPE_KEYS,
                  OVERLAP_THRESHOLDS, evaluate_ope, ope_sequence_errors)
from .protocols import (SOT_PROTOCOLS, SOTProtocol, evaluate_sequences,
                        get_protocol, list_protocols, register_protocol)

__all__ = [
    'bound_boxes_got10k', 'center_error', 'iou_got10k', 'iou_pixel',
    'normalized_center_error', 'GOT10K_KEYS', 'GOT10K_THRESHOLDS',
    'evaluate_got10k', 'got10k_valid_frames', 'CENTER_THRESHOLDS',
    'NORM_CENTER_THRESHOLDS', 'OPE_KEYS', 'OVERLAP_THRESHOLDS',
    'evaluate_ope', 'ope_sequence_errors', 'SOT_PROTOCOLS', 'SOTProtocol',
    'evaluate_sequences', 'get_protocol', 'list_protocols',
    'register_protocol'
]
