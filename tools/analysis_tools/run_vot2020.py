"""Run a tracker through VOT2020's anchor-based experiment and score it.

Example::

    python tools/analysis_tools/run_vot2020.py CONFIG CHECKPOINT \\
        --data-root data/vot2020 --out work_dirs/vot2020/baseline \\
        [--json vot2020.json] [--device cuda] [--no-skip-done]

The tracker is initialised on the box of the ground-truth region at every
anchor of ``anchor.value`` and run forward (or backward) to the end of the
sequence. Each fragment is written as soon as it is tracked, in the
toolkit's layout (``{out}/{seq}/{seq}_{anchor:08d}.txt`` and
``_time.value``), so an interrupted run continues where it stopped. The
results are then scored with the ``vot2020`` protocol (EAO, A, R as
fractions in [0, 1]; ``docs/evaluation.md``), as
``eval_results.py --benchmark vot2020 --results OUT`` scores them later.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from terminaltables import AsciiTable  # noqa: E402

from mmtrack_ext.apis import init_tracker, run_vot_multistart  # noqa: E402
from mmtrack_ext.evaluation import evaluate_raw_results  # noqa: E402
from mmtrack_ext.registry import DATASETS  # noqa: E402
from mmtrack_ext.utils import register_all_modules  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--data-root', required=True,
                        help='folder holding list.txt and the sequences')
    parser.add_argument('--out', required=True, help='results folder')
    parser.add_argument('--json', default=None, help='write the report here')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--no-skip-done', action='store_true',
                        help='track again fragments already on disk')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    dataset = DATASETS.build(
        dict(type='VOT2020Dataset', data_root=args.data_root,
             test_mode=True))
    model = init_tracker(args.config, args.checkpoint, device=args.device)
    start = time.perf_counter()
    counts = run_vot_multistart(
        model, dataset, args.out, skip_done=not args.no_skip_done, log=print)
    track_seconds = time.perf_counter() - start
    report = evaluate_raw_results('vot2020', args.data_root, args.out)
    overall = report['overall']
    keys = ('EAO', 'A', 'R')
    print(AsciiTable([['sequences'] + [f'{k} (%)' for k in keys],
                      [str(report['num_sequences'])] +
                      [f'{100 * overall[k]:.2f}' for k in keys]],
                     title='VOT2020 (vot2020)').table)
    print(f"fragments tracked {counts['tracked']}, reused "
          f"{counts['skipped']}; tracking {track_seconds:.1f} s, "
          f"evaluation {report['eval_seconds']:.2f} s")
    if args.json:
        report.update(fragments=counts, track_seconds=track_seconds)
        os.makedirs(osp.dirname(osp.abspath(args.json)), exist_ok=True)
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
