"""Evaluate stored raw results of any tracker on a benchmark.

Example::

    python tools/analysis_tools/eval_results.py --benchmark got10k \\
        --data-root data/got10k --split val --results RESULTS_DIR \\
        [--protocol got10k] [--json metrics.json] [--skip-invalid]

``RESULTS_DIR`` holds ``{seq}/{seq}_001.txt`` (GOT-10k layout, with optional
``_002``, ``_003`` repetitions) or ``{seq}.txt`` (pytracking layout), boxes
``x,y,w,h`` separated by commas, tabs or spaces. Missing sequences, wrong
line counts and NaN rows are reported by name; without ``--skip-invalid`` a
result set with unscorable sequences is refused (exit code 1).

The JSON holds ``benchmark``, ``protocol``, ``overall`` and
``per_sequence`` metrics (fractions in [0, 1]), the problems found,
``load_seconds`` and ``eval_seconds``.
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from terminaltables import AsciiTable  # noqa: E402

from mmtrack_ext.evaluation import (BENCHMARKS, evaluate_raw_results,  # noqa
                                    list_protocols)
from mmtrack_ext.utils import register_all_modules  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--benchmark', required=True,
                        choices=sorted(BENCHMARKS))
    parser.add_argument('--data-root', required=True)
    parser.add_argument('--split', default=None,
                        help="default: the benchmark's (GOT-10k: val)")
    parser.add_argument('--results', required=True)
    parser.add_argument('--protocol', default=None, choices=list_protocols(),
                        help="default: the benchmark's")
    parser.add_argument('--json', default=None, help='write the report here')
    parser.add_argument('--skip-invalid', action='store_true',
                        help='score the valid sequences when some are '
                        'missing or malformed (they are listed)')
    return parser.parse_args(argv)


def format_table(report: dict) -> str:
    overall = report['overall']
    keys = [k for k in overall if not k.startswith('num_')]
    rows = [['sequences'] + [f'{k} (%)' if k != 'FPS' else k for k in keys]]
    rows.append([str(report['num_sequences'])] + [
        f'{overall[k]:.2f}' if k == 'FPS' else f'{100 * overall[k]:.2f}'
        for k in keys
    ])
    title = f"{report['benchmark']} {report['split'] or ''} " \
            f"({report['protocol']})"
    return AsciiTable(rows, title=title).table


def main(argv=None):
    args = parse_args(argv)
    register_all_modules()
    try:
        report = evaluate_raw_results(
            args.benchmark, args.data_root, args.results, split=args.split,
            protocol=args.protocol, skip_invalid=args.skip_invalid)
    except (ValueError, FileNotFoundError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    print(format_table(report))
    if report['excluded']:
        print(f"excluded {len(report['excluded'])} sequences: "
              f"{', '.join(report['excluded'][:20])}")
    if report['problems']['nan_rows']:
        print('sequences with NaN rows: ' +
              ', '.join(sorted(report['problems']['nan_rows'])))
    print(f"load {report['load_seconds']:.3f} s, "
          f"eval {report['eval_seconds']:.3f} s")
    if args.json:
        os.makedirs(osp.dirname(osp.abspath(args.json)), exist_ok=True)
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
