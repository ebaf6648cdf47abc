"""Pure numpy SOT metric functions and the registry of named protocols.

``evaluate_sequences(protocol, sequences)`` is the entry point; the
protocols ``'got10k'``, ``'ostrack'``, ``'pytracking'``, ``'uav'``,
``'otb'``, ``'lasot_matlab'``, ``'trackingnet'`` and ``'vot2020'`` reproduce
the official toolkits, ``'presence'`` scores the per-frame confidence
against the target's presence (see each module's docstring and
``docs/evaluation.md``); ``DEFAULT_PROTOCOLS`` names the one papers use per
benchmark.
"""
from .box_metrics import (bound_boxes_got10k, center_error, iou_got10k,
                          iou_pixel, iou_rect_int, normalized_center_error,
                          normalized_center_error_got10k,
                          trackingnet_box_errors)
from .got10k import (GOT10K_KEYS, GOT10K_THRESHOLDS, evaluate_got10k,
                     got10k_valid_frames)
from .ope import (CENTER_THRESHOLDS, NORM_CENTER_THRESHOLDS, OPE_FLAVOURS,
                  OPE_KEYS, OVERLAP_THRESHOLDS, OPEFrameErrors, evaluate_ope,
                  matlab_colon, ope_sequence_errors)
from .presence import (PRESENCE_KEYS, evaluate_presence, lt_thresholds,
                       presence_labels, roc_auc)
from .protocols import (DEFAULT_PROTOCOL_OPTIONS, DEFAULT_PROTOCOLS,
                        SOT_PROTOCOLS, SOTProtocol, default_protocol,
                        evaluate_sequences, get_protocol, list_protocols,
                        register_protocol)
from .vot import (VOT2020_EAO_INTERVAL, VOT2020_KEYS, eao_curve,
                  evaluate_vot2020, find_anchors, fragment_frames,
                  fragment_progress)

__all__ = [
    'bound_boxes_got10k', 'center_error', 'iou_got10k', 'iou_pixel',
    'iou_rect_int', 'normalized_center_error',
    'normalized_center_error_got10k', 'trackingnet_box_errors',
    'GOT10K_KEYS', 'GOT10K_THRESHOLDS', 'evaluate_got10k',
    'got10k_valid_frames', 'CENTER_THRESHOLDS',
    'NORM_CENTER_THRESHOLDS', 'OPE_KEYS', 'OVERLAP_THRESHOLDS',
    'evaluate_ope', 'ope_sequence_errors', 'OPE_FLAVOURS', 'OPEFrameErrors',
    'matlab_colon', 'SOT_PROTOCOLS', 'SOTProtocol', 'evaluate_sequences',
    'get_protocol', 'list_protocols', 'register_protocol',
    'DEFAULT_PROTOCOLS', 'DEFAULT_PROTOCOL_OPTIONS', 'default_protocol',
    'VOT2020_EAO_INTERVAL', 'VOT2020_KEYS', 'eao_curve', 'evaluate_vot2020',
    'find_anchors', 'fragment_frames', 'fragment_progress',
    'PRESENCE_KEYS', 'evaluate_presence', 'lt_thresholds',
    'presence_labels', 'roc_auc'
]
