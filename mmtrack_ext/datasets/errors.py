"""Exceptions raised by datasets and transforms.

Two families:

* :class:`AnnotationError` (a ``ValueError``): malformed files of a dataset
  (list files, annotation lines, label files). The message names the file and
  the 1-based line. These are data bugs and are never skipped.
* :class:`BadSampleError`: a training sample that cannot be used (unreadable
  frame, crop that is all padding).
  :class:`~mmtrack_ext.datasets.SOTPairDataset` catches it, counts it, logs
  a warning and draws another sample.
"""

__all__ = [
    'AnnotationError', 'BadSampleError', 'FrameLoadError', 'InvalidCropError'
]


class AnnotationError(ValueError):
    """A dataset file is malformed; the message names the file and line."""


class BadSampleError(Exception):
    """A training sample that should be skipped and resampled."""


class FrameLoadError(BadSampleError, OSError):
    """A frame file is missing or cannot be decoded (message has the path).

    Raised by :class:`~mmtrack_ext.datasets.transforms.LoadFrames`. At test
    time nothing catches it, so evaluation stops with the path of the file.
    """


class InvalidCropError(BadSampleError):
    """A crop is unusable: invalid box, or (almost) all of it is padding."""
