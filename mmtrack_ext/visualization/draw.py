"""Drawing tracking results on frames and writing videos."""
from typing import Iterable, Optional, Sequence, Tuple

import cv2
import numpy as np


def draw_box(frame: np.ndarray, box_xywh: Sequence[float],
             color: Tuple[int, int, int] = (0, 255, 0), thickness: int = 2,
             label: Optional[str] = None) -> np.ndarray:
    """Draw an ``(x, y, w, h)`` box (pixels) on a BGR frame in place."""
    x, y, w, h = [float(v) for v in box_xywh]
    if not np.isfinite([x, y, w, h]).all():
        return frame
    p1 = (int(round(x)), int(round(y)))
    p2 = (int(round(x + w)), int(round(y + h)))
    cv2.rectangle(frame, p1, p2, color, thickness)
    if label:
        cv2.putText(frame, label, (p1[0], max(p1[1] - 4, 10)),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.4, color, 1, cv2.LINE_AA)
    return frame


def write_tracking_video(path: str, frames: Iterable[np.ndarray],
                         boxes: Iterable[Sequence[Sequence[float]]],
                         colors: Sequence[Tuple[int, int, int]] = (
                             (0, 255, 0), (0, 0, 255)),
                         labels: Sequence[str] = ('pred', 'gt'),
                         fps: float = 25.) -> str:
    """Write an MP4 of ``frames`` with one or more boxes per frame.

    Args:
        path: output ``.mp4`` path.
        frames: BGR uint8 frames of equal size.
        boxes: per frame, a sequence of ``(x, y, w, h)`` boxes drawn with
            ``colors``/``labels`` in order.
    """
    writer = None
    try:
        for frame, frame_boxes in zip(frames, boxes):
            frame = frame.copy()
            for box, color, label in zip(frame_boxes, colors, labels):
                draw_box(frame, box, color, label=label)
            if writer is None:
                h, w = frame.shape[:2]
                writer = cv2.VideoWriter(
                    path, cv2.VideoWriter_fourcc(*'mp4v'), fps, (w, h))
                if not writer.isOpened():
                    raise RuntimeError(f'cannot open video writer for {path}')
            writer.write(frame)
    finally:
        if writer is not None:
            writer.release()
    return path
