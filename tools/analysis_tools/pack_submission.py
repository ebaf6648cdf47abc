"""Pack tracking results for the GOT-10k / TrackingNet test servers, or check
a package before uploading it.

Examples::

    # pack (the package is checked; nothing is written if it is invalid)
    python tools/analysis_tools/pack_submission.py --benchmark got10k \\
        --results work_dirs/x/results --out got10k_test.zip \\
        [--data-root data/got10k]
    python tools/analysis_tools/pack_submission.py --benchmark trackingnet \\
        --results RESULTS --out trackingnet_test.zip \\
        [--data-root data/trackingnet]
    # check an existing package
    python tools/analysis_tools/pack_submission.py --benchmark got10k \\
        --check got10k_test.zip [--data-root data/got10k]

GOT-10k: ``{seq}/{seq}_001.txt`` (``_002``, ``_003`` ... if present) and
``{seq}/{seq}_time.txt`` for the 180 test sequences; TrackingNet:
``{seq}.txt`` at the zip root for the 511 test sequences; comma-separated
``x,y,w,h``. The results folder may be in either layout. With
``--data-root`` (GOT-10k: the folder holding ``test/``; TrackingNet: the
one holding ``TEST/``) the sequence names and line counts are compared with
the test split. Problems are printed by name; the exit code is 1 when there
is any.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmtrack_ext.evaluation.submission import (  # noqa: E402
    SUBMISSION_FORMATS, SubmissionError, check_submission, pack_submission)
from mmtrack_ext.utils import register_all_modules  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--benchmark', required=True,
                        choices=sorted(SUBMISSION_FORMATS))
    parser.add_argument('--results', help='results folder to pack')
    parser.add_argument('--out', help='zip file to write')
    parser.add_argument('--check', metavar='ZIP',
                        help='check this package instead of packing')
    parser.add_argument('--data-root', default=None,
                        help='benchmark folder, to check the sequence set '
                        'and the line counts against the test split')
    parser.add_argument('--max-problems', type=int, default=50,
                        help='problems printed (all are counted)')
    args = parser.parse_args(argv)
    if args.check is None and (args.results is None or args.out is None):
        parser.error('give --results and --out to pack, or --check ZIP')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    register_all_modules()
    try:
        if args.check is not None:
            report = check_submission(args.benchmark, args.check,
                                      data_root=args.data_root)
        else:
            report = pack_submission(args.benchmark, args.results, args.out,
                                     data_root=args.data_root)
    except SubmissionError as e:
        print(e.report.summary(args.max_problems), file=sys.stderr)
        print('nothing written', file=sys.stderr)
        return 1
    except (FileNotFoundError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    if not report.ok:
        print(report.summary(args.max_problems), file=sys.stderr)
        return 1
    print(report.summary())
    if args.data_root is None:
        print('(sequence names and line counts not compared with the test '
              'split: pass --data-root)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
