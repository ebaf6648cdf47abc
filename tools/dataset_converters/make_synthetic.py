"""Generate the synthetic single-object tracking dataset (GOT-10k layout).

Example::

    python tools/dataset_converters/make_synthetic.py --out data/synthetic \\
        --num-train 300 --num-val 30 --seed 0 [--frame-size 320 240] \\
        [--photo-dir DIR] [--workers N]

Writes ``{out}/train`` and ``{out}/val`` (``list.txt``, one folder of
``00000001.jpg ...`` frames with ``groundtruth.txt`` / ``absence.label`` /
``cover.label`` / ``meta_info.ini`` per sequence). A split that is already
complete with the same parameters is skipped; see
``mmtrack_ext/datasets/synthetic.py`` for what the generator models.
"""
import argparse
import os.path as osp
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from mmtrack_ext.datasets.synthetic import make_synthetic_dataset  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate synthetic SOT sequences in the GOT-10k layout.')
    parser.add_argument('--out',
                        default='data/synthetic',
                        help='output root (splits go to OUT/train, OUT/val)')
    parser.add_argument('--num-train',
                        type=int,
                        default=300,
                        help='number of training sequences')
    parser.add_argument('--num-val',
                        type=int,
                        default=30,
                        help='number of validation sequences')
    parser.add_argument('--seed', type=int, default=0, help='global seed')
    parser.add_argument('--frame-size',
                        type=int,
                        nargs=2,
                        default=(320, 240),
                        metavar=('W', 'H'),
                        help='frame width and height')
    parser.add_argument('--length-range',
                        type=int,
                        nargs=2,
                        default=(60, 150),
                        metavar=('MIN', 'MAX'),
                        help='frames per sequence (inclusive range)')
    parser.add_argument('--photo-dir',
                        default=None,
                        help='optional folder of photos (searched '
                        'recursively) mixed into backgrounds and textures')
    parser.add_argument('--workers',
                        type=int,
                        default=None,
                        help='worker processes (default: all CPUs; '
                        '0: in this process)')
    parser.add_argument('--difficulty',
                        type=float,
                        default=1.0,
                        help='scales the probability of hard events')
    parser.add_argument('--quiet', action='store_true')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    t0 = time.time()
    res = make_synthetic_dataset(args.out,
                                 num_train=args.num_train,
                                 num_val=args.num_val,
                                 seed=args.seed,
                                 frame_size=tuple(args.frame_size),
                                 length_range=tuple(args.length_range),
                                 photo_dir=args.photo_dir,
                                 num_workers=args.workers,
                                 difficulty=args.difficulty,
                                 verbose=not args.quiet)
    frames = sum(res[s]['num_frames'] for s in ('train', 'val') if s in res)
    print(f'done: {frames} frames under {args.out} '
          f'({time.time() - t0:.1f} s)')
    return res


if __name__ == '__main__':
    main()
