"""The Python blocks of README.md run as written, on a clip and a
checkpoint that the test writes where the README names its own files."""
import os.path as osp
import re

import cv2
import numpy as np
import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
README = osp.join(ROOT, 'README.md')
# the files the README's examples name, replaced by ones written here
CHECKPOINT = 'work_dirs/quickstart/epoch_N.pth'
VIDEO = 'video.mp4'


def python_blocks(path):
    with open(path) as f:
        text = f.read()
    return re.findall(r'```python\n(.*?)```', text, flags=re.S)


def write_clip(path, num_frames=12, size=(320, 240)):
    """A textured square moving over a noisy background, as an mp4."""
    rng = np.random.default_rng(0)
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 10,
                             size)
    assert writer.isOpened(), 'OpenCV cannot write mp4v here'
    texture = rng.integers(0, 255, (60, 40, 3), dtype=np.uint8)
    for i in range(num_frames):
        frame = rng.integers(60, 120, (size[1], size[0], 3), dtype=np.uint8)
        x, y = 100 + 3 * i, 80 + 2 * i
        frame[y:y + 60, x:x + 40] = texture
        writer.write(frame)
    writer.release()
    return num_frames


def test_readme_has_python_examples():
    blocks = python_blocks(README)
    assert blocks and any(VIDEO in b and CHECKPOINT in b for b in blocks)


@pytest.mark.parametrize('index', range(len(python_blocks(README))))
def test_readme_python_block_runs(index, tmp_path, monkeypatch, capsys):
    from mmengine.config import Config

    from mmtrack_ext.registry import MODELS
    from mmtrack_ext.utils import register_all_modules
    register_all_modules()
    code = python_blocks(README)[index]
    clip = str(tmp_path / 'clip.mp4')
    num_frames = write_clip(clip)
    cfg = Config.fromfile(osp.join(
        ROOT, 'configs/onestream/onestream_vit-tiny-p8_center_synthetic.py'))
    model = MODELS.build(cfg.model)
    ckpt = str(tmp_path / 'epoch_1.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    code = code.replace(CHECKPOINT, ckpt).replace(VIDEO, clip)
    monkeypatch.chdir(ROOT)  # configs are named relative to the repository
    exec(compile(code, f'README.md python block {index}', 'exec'), {})
    out = capsys.readouterr().out.splitlines()
    # the example prints 'x y w h score' per frame (MMEngine logs too)
    lines = [line for line in out if re.fullmatch(r'[-\d. ]+', line)]
    if 'track_video' in code:
        # one line per frame, the first is the given box with confidence 1
        assert len(lines) == num_frames, lines
        assert lines[0].split() == ['100.0', '80.0', '40.0', '60.0', '1.00']
        for line in lines:
            values = [float(v) for v in line.split()]
            assert np.isfinite(values).all() and 0 <= values[-1] <= 1


def test_video_frames_names_the_file(tmp_path):
    from mmtrack_ext.apis import video_frames
    with pytest.raises(FileNotFoundError, match='missing.mp4'):
        next(video_frames(str(tmp_path / 'missing.mp4')))
    bad = tmp_path / 'not_a_video.mp4'
    bad.write_bytes(b'\x00' * 64)
    with pytest.raises(ValueError, match='not_a_video.mp4'):
        list(video_frames(str(bad)))
