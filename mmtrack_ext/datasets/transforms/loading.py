"""Frame loading."""
import os.path as osp
from typing import Optional

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmtrack_ext.registry import TRANSFORMS
from ..errors import FrameLoadError

__all__ = ['LoadFrames']


@TRANSFORMS.register_module()
class LoadFrames(BaseTransform):
    """Read every frame of ``results['frames']``.

    Sets, per frame, ``img`` (``(H, W, 3)`` uint8 BGR; grey images are
    expanded to 3 channels) and ``ori_shape`` / ``img_shape`` ``(H, W)``.

    Args:
        backend_args: MMEngine file backend arguments; ``None`` reads local
            files with ``cv2.imread`` (fastest), otherwise the bytes are
            fetched with ``mmengine.fileio.get`` and decoded with
            ``cv2.imdecode``.

    Raises:
        FrameLoadError: a frame is missing or cannot be decoded (the
            message names the path). Training skips such samples.
    """

    def __init__(self, backend_args: Optional[dict] = None) -> None:
        self.backend_args = backend_args

    def _read(self, path: str) -> np.ndarray:
        if self.backend_args is None:
            img = cv2.imread(path, cv2.IMREAD_COLOR)
        else:
            from mmengine import fileio
            try:
                data = fileio.get(path, backend_args=self.backend_args)
            except Exception as e:  # noqa: BLE001 - backend-specific errors
                raise FrameLoadError(f'cannot read frame {path}: {e}') from e
            img = cv2.imdecode(
                np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
        if img is None:
            why = 'corrupt or not an image' if osp.exists(path) \
                else 'file not found'
            raise FrameLoadError(f'cannot read frame {path} ({why})')
        return img

    def transform(self, results: dict) -> dict:
        for frame in results['frames']:
            img = self._read(frame['img_path'])
            frame['img'] = img
            frame['ori_shape'] = frame['img_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(backend_args={self.backend_args})'
