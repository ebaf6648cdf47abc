"""Evaluate stored raw results of any tracker on a benchmark.

Example::

    python tools/analysis_tools/eval_results.py --benchmark got10k \\
        --data-root data/got10k --split val --results RESULTS_DIR \\
        [--protocol got10k] [--json metrics.json] [--skip-invalid] \\
        [--dataset-options sequence_list="[a,b]"] [--per-attribute] \\
        [--curves]

Benchmarks: ``got10k``, ``synthetic``, ``lasot``, ``lasot_ext``,
``trackingnet``, ``tnl2k``, ``nfs``, ``otb100``, ``uav123`` (see
``mmtrack_ext.evaluation.BENCHMARKS`` for their default split and
protocol). ``RESULTS_DIR`` holds ``{seq}/{seq}_001.txt`` (GOT-10k layout,
with optional ``_002``, ``_003`` repetitions) or ``{seq}.txt`` (pytracking
layout; pytracking's and pysot's own sequence names are accepted for NfS,
UAV123 and OTB100), boxes ``x,y,w,h`` separated by commas, tabs or spaces.
Missing sequences, wrong line counts and NaN rows are reported by name;
without ``--skip-invalid`` a result set with unscorable sequences is refused
(exit code 1).

The JSON holds ``benchmark``, ``protocol``, ``split``, ``overall`` and
``per_sequence`` metrics (fractions in [0, 1]), the problems found
(``problems``, ``excluded``), ``load_seconds`` and ``eval_seconds``; with
``--curves`` the protocol's curves, with ``--per-attribute`` the metrics per
attribute (OTB100, UAV123).
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmengine.config import DictAction  # noqa: E402
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
    parser.add_argument('--protocol', default=None,
                        help="default: the benchmark's; registered: " +
                        ', '.join(list_protocols()))
    parser.add_argument('--json', default=None, help='write the report here')
    parser.add_argument('--skip-invalid', action='store_true',
                        help='score the valid sequences when some are '
                        'missing or malformed (they are listed)')
    parser.add_argument('--dataset-options', nargs='+', action=DictAction,
                        default=None,
                        help='extra dataset arguments, e.g. '
                        'sequence_list="[Basketball,Biker]" (score a subset) '
                        'or chunks="[0]" (TrackingNet train)')
    parser.add_argument('--per-attribute', action='store_true',
                        help='also score the sequences of each attribute')
    parser.add_argument('--curves', action='store_true',
                        help="put the protocol's curves in the JSON")
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
            protocol=args.protocol, skip_invalid=args.skip_invalid,
            dataset_options=args.dataset_options, return_curves=args.curves,
            per_attribute=args.per_attribute)
    except (ValueError, FileNotFoundError, KeyError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f'error: {msg}', file=sys.stderr)
        return 1
    print(format_table(report))
    if report['excluded']:
        print(f"excluded {len(report['excluded'])} sequences: "
              f"{', '.join(report['excluded'][:20])}")
    if report['problems']['nan_rows']:
        print('sequences with NaN rows: ' +
              ', '.join(sorted(report['problems']['nan_rows'])))
    for code, entry in report.get('per_attribute', {}).items():
        print(f"  {code} ({entry['name']}, {entry['num_sequences']} "
              'sequences): ' + ', '.join(
                  f'{k} {100 * v:.2f}' for k, v in entry['overall'].items()
                  if not k.startswith('num_') and k != 'FPS'))
    print(f"load {report['load_seconds']:.3f} s, "
          f"eval {report['eval_seconds']:.3f} s")
    if args.json:
        os.makedirs(osp.dirname(osp.abspath(args.json)), exist_ok=True)
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
