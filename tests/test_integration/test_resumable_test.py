"""``tools/test.py --skip-done``: an interrupted test run resumes, tracking
only the videos without complete results (also with two processes), and
gives the same metrics as an uninterrupted run."""
import json
import os
import os.path as osp
import shutil
import sys

import pytest

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from integration_utils import TINY_CONFIG, run_tool, tool_env  # noqa: E402


@pytest.fixture(scope='module')
def tiny_setup(tmp_path_factory):
    """3 short synthetic val videos and a randomly initialised checkpoint of
    the tiny config."""
    import torch
    from mmengine.config import Config

    from mmtrack_ext.datasets import make_synthetic_dataset
    from mmtrack_ext.registry import MODELS
    from mmtrack_ext.utils import register_all_modules
    register_all_modules()
    root = str(tmp_path_factory.mktemp('resume'))
    make_synthetic_dataset(osp.join(root, 'data'), num_train=0, num_val=3,
                           seed=5, length_range=(16, 22), num_workers=1,
                           verbose=False)
    cfg = Config.fromfile(osp.join(osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))), TINY_CONFIG))
    torch.manual_seed(0)
    ckpt = osp.join(root, 'tiny.pth')
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict(),
                'meta': {}}, ckpt)
    return root, ckpt


def _test(root, ckpt, work, results, *extra, procs=1):
    opts = ['--work-dir', work, '--cfg-options',
            f'test_dataloader.dataset.data_root={osp.join(root, "data")}',
            'test_dataloader.num_workers=0',
            'test_dataloader.persistent_workers=False',
            f'test_evaluator.outfile_prefix={results}', *extra]
    if procs == 1:
        proc = run_tool(['tools/test.py', TINY_CONFIG, ckpt, *opts],
                        timeout=300, what='test.py')
    else:
        proc = run_tool(['tools/dist_test.sh', TINY_CONFIG, ckpt, str(procs),
                         *opts], timeout=300, what='dist_test.sh',
                        python=False, env=tool_env({'PYTHON': sys.executable}))
    with open(osp.join(work, 'metrics.json')) as f:
        return json.load(f), proc.stdout + proc.stderr


def test_skip_done_resumes_with_the_same_metrics(tiny_setup, tmp_path):
    root, ckpt = tiny_setup
    results = str(tmp_path / 'results')
    full, _ = _test(root, ckpt, str(tmp_path / 'w1'), results)
    names = sorted(os.listdir(results))
    assert len(names) == 3
    # interrupted: one video lost, one half written, one finished
    shutil.rmtree(osp.join(results, names[0]))
    half = osp.join(results, names[1], f'{names[1]}_001.txt')
    lines = open(half).read().splitlines()
    open(half, 'w').write('\n'.join(lines[:5]) + '\n')
    kept = osp.join(results, names[2], f'{names[2]}_001.txt')
    stamp = os.stat(kept).st_mtime_ns

    resumed, log = _test(root, ckpt, str(tmp_path / 'w2'), results,
                         '--skip-done', procs=2)
    assert resumed == full
    assert ('1 videos' in log and 'are skipped; 2 videos' in log), log[-3000:]
    assert os.stat(kept).st_mtime_ns == stamp
    assert len(open(half).read().splitlines()) == len(lines)

    done, log = _test(root, ckpt, str(tmp_path / 'w3'), results,
                      '--skip-done')
    assert done == full
    assert 'are skipped; 0 videos (0 frames) are left' in log
