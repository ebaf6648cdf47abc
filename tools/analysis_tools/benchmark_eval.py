"""Time every registered evaluation protocol on a LaSOT-sized result set.

Builds a random but realistic result set (default 280 sequences x 2448
frames, the size of the LaSOT test set at its longest), evaluates it with
each protocol and reports the best wall-clock time of ``--repeat`` runs
(input conversion included, set construction excluded).

Example::

    python tools/analysis_tools/benchmark_eval.py [--num-seqs 280] \\
        [--length 2448] [--repeat 3] [--json eval_speed.json]

Prints one line per protocol and, with ``--json``, writes ``{"setup":
{...}, "seconds": {protocol: seconds}}``.
"""
import argparse
import json
import os.path as osp
import sys
import time

import numpy as np

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmtrack_ext.evaluation import (evaluate_sequences,  # noqa: E402
                                    list_protocols)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--num-seqs', type=int, default=280)
    parser.add_argument('--length', type=int, default=2448,
                        help='frames per sequence')
    parser.add_argument('--repeat', type=int, default=3,
                        help='runs per protocol; the best time is kept')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--protocols', nargs='+', default=None,
                        help='default: every registered protocol')
    parser.add_argument('--json', default=None, help='write the timings here')
    return parser.parse_args(argv)


def build_result_set(num_seqs: int, length: int, seed: int = 0) -> dict:
    """Random sequences in the protocols' input format.

    GT: a box random-walking in a 1280x720 image (integer xywh, sizes 10 to
    300 px); predictions: GT plus Gaussian noise (valid, positive sizes);
    about 5% of the frames carry an invisible target (``target_visible``
    False, ``absent`` 1, ``cover`` 0); confidences (``score``) are higher
    where the target is visible.
    """
    rng = np.random.default_rng(seed)
    sequences = {}
    for s in range(num_seqs):
        steps = rng.normal(0, 3, (length, 4)).cumsum(0)
        start = np.array([rng.uniform(50, 900), rng.uniform(50, 500),
                          rng.uniform(30, 200), rng.uniform(30, 200)])
        gt = np.round(start + steps)
        gt[:, :2] = np.clip(gt[:, :2], 1, [1279, 719])
        gt[:, 2:] = np.clip(gt[:, 2:], 10, 300)
        pred = gt + rng.normal(0, 8, gt.shape)
        pred[:, 2:] = np.abs(pred[:, 2:]) + 1.0
        visible = rng.random(length) > 0.05
        visible[0] = True
        sequences[f'seq-{s:03d}'] = dict(
            pred=pred,
            gt=gt,
            target_visible=visible,
            absent=(~visible).astype(np.int64),
            cover=np.where(visible, 8, 0),
            score=np.clip(rng.normal(np.where(visible, 0.7, 0.3), 0.2), 0,
                          1),
            resolution=(1280, 720))
    return sequences


def time_protocol(name: str, sequences: dict, repeat: int) -> float:
    best = float('inf')
    for _ in range(max(repeat, 1)):
        t0 = time.perf_counter()
        evaluate_sequences(name, sequences)
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None):
    args = parse_args(argv)
    protocols = args.protocols or list_protocols()
    sequences = build_result_set(args.num_seqs, args.length, args.seed)
    seconds = {}
    for name in protocols:
        seconds[name] = time_protocol(name, sequences, args.repeat)
        print(f'{name:<14s} {seconds[name]:.3f} s')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(
                dict(
                    setup=dict(
                        num_seqs=args.num_seqs,
                        length=args.length,
                        frames=args.num_seqs * args.length,
                        repeat=args.repeat,
                        seed=args.seed),
                    seconds=seconds),
                f,
                indent=2)
    return seconds


if __name__ == '__main__':
    main()
