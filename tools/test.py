"""Test (evaluate) a trained tracker with the MMEngine Runner.

Examples::

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out R.pkl]
        [--skip-done]
    tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS [ARGS]

Rank 0 writes the final metrics, without their ``prefix/``, as flat JSON to
``{work_dir}/metrics.json``.

Per-video result files are written as soon as each video is tracked (in the
``SOTMetric``'s ``outfile_prefix``, layout ``test_evaluator.layout``).
``--skip-done`` (or ``skip_done = True`` in the config) resumes an
interrupted run: videos whose result file is complete are not tracked again
but read back for the final metrics (results in ``{work_dir}/results`` when
the config names no ``outfile_prefix``).

The config is checked against the benchmark protocols first
(``mmtrack_ext.evaluation.protocol_guard``: GOT-10k test only after
GOT-10k-train-only training, no training data from the test set,
VOT-forbidden GOT-10k videos excluded for VOT); ``protocol_guard = False``
overrides it with a warning.
"""
import argparse
import json
import logging
import numbers
import os
import os.path as osp
import sys

# run from a source checkout without installing
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.logging import print_log  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmtrack_ext.evaluation import protocol_guard  # noqa: E402
from mmtrack_ext.utils import (close_dist_env, init_dist_env,  # noqa: E402
                               setup_dist_backend)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (and eval) a tracker')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='the directory of metrics.json and, unless --cfg-options '
        'names test_evaluator.outfile_prefix, of the per-video result '
        'files (DIR/results)')
    parser.add_argument(
        '--out',
        type=str,
        help='dump the raw predictions to a pickle file (.pkl) for offline '
        'evaluation')
    parser.add_argument(
        '--trust-checkpoint',
        action='store_true',
        help='load CHECKPOINT as a full pickle (weights_only=False). Only for '
        'files from a trusted source: unpickling can run arbitrary code. '
        'Without it, checkpoints holding anything beyond tensors and the '
        'MMEngine allowlist are refused.')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file. If the value to '
        'be overwritten is a list, it should be like key="[a,b]" or key=a,b '
        'It also allows nested list/tuple values, e.g. key="[(a,b),(c,d)]" '
        'Note that the quotation marks are necessary and that no white space '
        'is allowed.')
    parser.add_argument(
        '--skip-done',
        action='store_true',
        help='resume: do not track the videos whose result files in the '
        "metric's outfile_prefix are complete; read them back for the "
        'metrics (default folder: {work_dir}/results)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', '0')
    return args


def setup_cfg(args) -> Config:
    """Build the config from the command line arguments."""
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)

    # work_dir: command line > config > ./work_dirs/{config name}
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.work_dir = osp.abspath(cfg.work_dir)
    cfg.load_from = args.checkpoint
    cfg.resume = False
    if args.work_dir is not None:
        results_under_work_dir(cfg, args.cfg_options or {})

    if args.out is not None:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError('The dump file (--out) must be a pkl file.')
        dump_metric = dict(type='DumpResults', out_file_path=args.out)
        evaluator = cfg.test_evaluator
        if isinstance(evaluator, (list, tuple)):
            cfg.test_evaluator = [*evaluator, dump_metric]
        elif 'metrics' in evaluator:  # dict(type='Evaluator', metrics=...)
            metrics = evaluator.metrics
            if not isinstance(metrics, (list, tuple)):
                metrics = [metrics]
            evaluator.metrics = [*metrics, dump_metric]
        else:
            cfg.test_evaluator = [evaluator, dump_metric]

    setup_dist_backend(cfg)
    return cfg


def _metric_cfgs(evaluator):
    """The metric config dicts of an evaluator config (a dict, a list, or
    ``dict(type='Evaluator', metrics=...)``)."""
    if evaluator is None:
        return []
    if isinstance(evaluator, (list, tuple)):
        return [m for e in evaluator for m in _metric_cfgs(e)]
    if 'metrics' in evaluator:
        return _metric_cfgs(evaluator['metrics'])
    return [evaluator]


def results_under_work_dir(cfg: Config, cfg_options: dict) -> None:
    """Point every metric's ``outfile_prefix`` at ``{work_dir}/results``.

    ``--work-dir`` says where this run's outputs go: a config saved in an
    earlier work dir carries that run's absolute ``outfile_prefix``, and
    writing there would mix the results of two runs. A prefix given with
    ``--cfg-options`` is kept. Metrics that write no files (no
    ``outfile_prefix``) are left as they are.
    """
    if any(k.endswith('outfile_prefix') for k in cfg_options):
        return
    target = osp.join(cfg.work_dir, 'results')
    for metric in _metric_cfgs(cfg.get('test_evaluator')):
        old = metric.get('outfile_prefix')
        if old and osp.abspath(old) != target:
            metric['outfile_prefix'] = target
            print_log(
                f'results go to {target} (--work-dir) instead of the '
                f"config's outfile_prefix {old}",
                logger='current')


def _jsonable(value):
    """Plain Python numbers/lists for numpy and torch values."""
    if hasattr(value, 'tolist'):  # numpy arrays/scalars, tensors
        value = value.tolist()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def flatten_metrics(metrics: dict) -> dict:
    """Drop the ``prefix/`` of MMEngine metric keys (``sot/AO`` -> ``AO``),
    keeping values as they are (fractions stay fractions). Keys that would
    collide after stripping keep their prefix."""
    stripped = [key.split('/', 1)[-1] for key in metrics]
    out = {}
    for (key, value), short in zip(metrics.items(), stripped):
        name = short if stripped.count(short) == 1 else key
        out[name] = _jsonable(value)
    return out


def write_metrics(metrics: dict, work_dir: str) -> str:
    """Write :func:`flatten_metrics` of ``metrics`` to
    ``{work_dir}/metrics.json``; returns the path."""
    os.makedirs(work_dir, exist_ok=True)
    path = osp.join(work_dir, 'metrics.json')
    with open(path, 'w') as f:
        json.dump(flatten_metrics(metrics), f, indent=2)
    return path


def setup_skip_done(cfg: Config) -> None:
    """Restrict the test set to the videos without complete results (rank 0
    decides, every rank applies the same plan)."""
    from mmengine.dist import broadcast_object_list, get_rank

    from mmtrack_ext.evaluation.resume import apply_resume, plan_resume
    plan = [None]
    if get_rank() == 0:
        plan = [plan_resume(cfg, osp.join(cfg.work_dir, 'results'))]
    broadcast_object_list(plan)
    apply_resume(cfg, plan[0])
    print_log(f'--skip-done: {plan[0].summary()}', logger='current')


def main(argv=None):
    args = parse_args(argv)
    cfg = setup_cfg(args)
    protocol_guard(cfg)
    if args.trust_checkpoint:
        if '://' in args.checkpoint:
            print_log(
                '--trust-checkpoint only applies to local files, not '
                f'{args.checkpoint}',
                logger='current',
                level=logging.WARNING)
        else:
            from mmtrack_ext.engine import trust_checkpoint
            trust_checkpoint(args.checkpoint)
    init_dist_env(args.launcher, **cfg.env_cfg.get('dist_cfg', {}))
    if args.skip_done or cfg.get('skip_done', False):
        setup_skip_done(cfg)

    # build the runner from config
    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        from mmengine.registry import RUNNERS
        runner = RUNNERS.build(cfg)

    metrics = runner.test()
    if runner.rank == 0:
        path = write_metrics(metrics or {}, cfg.work_dir)
        print_log(f'metrics written to {path}', logger='current')
    close_dist_env()  # on success only: a failed rank must not wait here


if __name__ == '__main__':
    main()
