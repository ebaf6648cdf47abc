"""High-level API to run a trained tracker on frames or videos."""
from typing import Iterable, Iterator, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures import xywh_to_xyxy, xyxy_to_xywh


def init_tracker(config: Union[str, Config],
                 checkpoint: Optional[str] = None,
                 device: Union[str, torch.device] = 'cpu',
                 cfg_options: Optional[dict] = None) -> torch.nn.Module:
    """Build a tracker from a config file and optionally load weights.

    Args:
        config: config path or :class:`Config`.
        checkpoint: checkpoint path (loaded through MMEngine, i.e. with the
            toolbox's safe loader), or ``None``.
        device: device to put the model on.
        cfg_options: overrides merged into the config.
    """
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmtrack_ext'))
    model_cfg = cfg.model.copy()
    # pretrained backbone weights are not needed when a checkpoint follows
    if checkpoint is not None and 'backbone' in model_cfg:
        model_cfg.backbone.pop('pretrained', None)
    model = MODELS.build(model_cfg)
    if checkpoint is not None:
        import mmtrack_ext.engine  # noqa: F401  (installs the safe loader)
        load_checkpoint(model, checkpoint, map_location='cpu')
    model.cfg = cfg
    return model.to(device).eval()


def video_frames(path: str) -> Iterator[np.ndarray]:
    """The frames of a video file (anything OpenCV reads), one ``(H, W, 3)``
    uint8 BGR array at a time.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: OpenCV cannot open ``path`` or reads no frame from it.
    """
    import os.path as osp

    import cv2
    if not osp.isfile(path):
        raise FileNotFoundError(f'video file not found: {path}')
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        raise ValueError(f'OpenCV cannot open the video {path}')
    count = 0
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            count += 1
            yield frame
    finally:
        cap.release()
    if count == 0:
        raise ValueError(f'no frame could be read from the video {path}')


def _to_tensor(frame: np.ndarray, device) -> torch.Tensor:
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f'expected an (H, W, 3) BGR frame, got {frame.shape}')
    return torch.from_numpy(np.ascontiguousarray(frame)).to(device).permute(
        2, 0, 1)


def track_video(model: torch.nn.Module, frames: Iterable[np.ndarray],
                init_bbox: Sequence[float]
                ) -> Iterator[Tuple[np.ndarray, float]]:
    """Track one target through ``frames``.

    Args:
        model: a tracker from :func:`init_tracker`.
        frames: ``(H, W, 3)`` uint8 BGR frames, e.g. :func:`video_frames`
            of a video file.
        init_bbox: ``(x, y, w, h)`` of the target in the first frame, pixels.

    Yields:
        tuple: ``(x, y, w, h)`` float box in pixels and the confidence, one per
        frame (the first frame yields ``init_bbox`` with confidence 1).
    """
    device = next(model.parameters()).device
    state = None
    for frame in frames:
        img = _to_tensor(frame, device)
        if state is None:
            box = xywh_to_xyxy(torch.tensor(init_bbox, dtype=torch.float32))
            state = model.init(img, box)
            yield np.asarray(init_bbox, dtype=np.float32), 1.0
            continue
        box, score = model.track(img, state)
        yield xyxy_to_xywh(box.cpu().numpy()), score
