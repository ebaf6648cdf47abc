"""Success and precision plots of several trackers on one benchmark.

Example::

    python tools/analysis_tools/plot_curves.py --benchmark otb100 \\
        --data-root data/OTB100 --tracker Ours=work_dirs/a/results \\
        --tracker Baseline=work_dirs/b/results --out-dir plots \\
        [--protocol ostrack] [--split val] [--skip-invalid] \\
        [--dataset-options sequence_list="[Basketball,Biker]"] \\
        [--no-attributes]

Each result folder is read and scored like ``eval_results.py`` (same layouts
and problem reports). Writes ``{out_dir}/{benchmark}_success.png`` and, for
the OPE protocols, ``_precision.png`` and ``_norm_precision.png``; the
legend holds the protocol's metric (``AO`` for ``got10k``; ``AUC``, ``P``,
``P_norm`` for OPE) x100, trackers sorted by it. Benchmarks whose loader
gives sequence attributes (OTB100, UAV123 with its ``att`` files) also get
``{benchmark}_{code}_success.png`` ... per attribute. ``{out_dir}/curves.json``
lists every file with its legend scores.
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmengine.config import DictAction  # noqa: E402

from mmtrack_ext.evaluation import (BENCHMARKS, evaluate_raw_results,  # noqa
                                    get_benchmark, load_ground_truth)
from mmtrack_ext.utils import register_all_modules  # noqa: E402
from mmtrack_ext.visualization import plot_tracker_curves  # noqa: E402


def _tracker(text: str):
    name, sep, folder = text.partition('=')
    if not sep or not name or not folder:
        raise argparse.ArgumentTypeError(
            f'expected NAME=RESULTS_DIR, got {text!r}')
    return name, folder


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--benchmark', required=True,
                        choices=sorted(BENCHMARKS))
    parser.add_argument('--data-root', required=True)
    parser.add_argument('--split', default=None)
    parser.add_argument('--tracker', type=_tracker, action='append',
                        required=True, metavar='NAME=DIR',
                        help='a tracker and its results folder (repeat)')
    parser.add_argument('--protocol', default=None,
                        help="default: the benchmark's")
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--skip-invalid', action='store_true',
                        help='score the valid sequences of each tracker '
                        'when some are missing or malformed')
    parser.add_argument('--dataset-options', nargs='+', action=DictAction,
                        default=None, help='extra dataset arguments')
    parser.add_argument('--no-attributes', action='store_true',
                        help='skip the per-attribute plots')
    args = parser.parse_args(argv)
    names = [n for n, _ in args.tracker]
    if len(set(names)) != len(names):
        parser.error(f'tracker names must differ: {names}')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    register_all_modules()
    spec = get_benchmark(args.benchmark)
    protocol = args.protocol or spec.protocol
    try:
        gt = load_ground_truth(args.benchmark, args.data_root, args.split,
                               args.dataset_options)
        reports = {
            name: evaluate_raw_results(
                args.benchmark, args.data_root, folder,
                protocol=args.protocol,  # None: the default with its options
                skip_invalid=args.skip_invalid, ground_truth=gt,
                return_curves=True,
                per_attribute=not args.no_attributes)
            for name, folder in args.tracker
        }
    except (ValueError, FileNotFoundError, KeyError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f'error: {msg}', file=sys.stderr)
        return 1
    os.makedirs(args.out_dir, exist_ok=True)
    prefix = osp.join(args.out_dir, args.benchmark)
    title = f'{args.benchmark} ({protocol})'
    summary = dict(benchmark=args.benchmark, protocol=protocol,
                   split=gt.split, plots=plot_tracker_curves(
                       reports, prefix, title), per_attribute={})
    for name, rep in reports.items():
        if rep['excluded']:
            print(f'{name}: {len(rep["excluded"])} sequences not scored: '
                  + ', '.join(rep['excluded'][:20]))
    codes = [c for c in gt.attribute_names
             if all(c in r.get('per_attribute', {})
                    for r in reports.values())]
    for code in codes:
        entries = {n: r['per_attribute'][code] for n, r in reports.items()}
        any_entry = next(iter(entries.values()))
        drawn = plot_tracker_curves(
            entries, f'{prefix}_{code}',
            f'{title} {code} ({any_entry["num_sequences"]} seq.)')
        summary['per_attribute'][code] = dict(
            name=any_entry['name'], num_sequences=any_entry['num_sequences'],
            plots=drawn)
    with open(osp.join(args.out_dir, 'curves.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    files = [p['file'] for p in summary['plots'].values()] + [
        p['file'] for a in summary['per_attribute'].values()
        for p in a['plots'].values()
    ]
    for plot, entry in summary['plots'].items():
        print(f'{plot} ({entry["metric"]}): ' + ', '.join(
            f'{n} {100 * v:.2f}' for n, v in sorted(
                entry['scores'].items(), key=lambda kv: -kv[1])))
    print(f'{len(files)} plots written to {args.out_dir}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
