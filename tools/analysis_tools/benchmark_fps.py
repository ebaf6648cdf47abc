"""Model-forward FPS vs end-to-end tracking FPS, measured side by side.

``model_fps``: the per-frame network work only (backbone ``encode_search`` on
an already cropped and normalised search tensor, neck, head decode).
``e2e_fps``: everything a tracker does per frame (crop the search area from
the full frame, normalise, forward, decode, window, map back, clip).

Both are timed in alternating blocks in the same process so machine noise
affects them alike; the reported ratio is ``e2e_time / model_time``.

Example::

    python tools/analysis_tools/benchmark_fps.py CONFIG [CHECKPOINT] \
        --json fps.json --frame-size 640 480 --iters 200
"""
import argparse
import json
import os
import os.path as osp
import statistics
import sys
import time

import torch

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmtrack_ext.apis import init_tracker  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', default=None)
    parser.add_argument('--json', help='write the results to this file')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available()
                        else 'cpu')
    parser.add_argument('--frame-size', type=int, nargs=2, default=[640, 480],
                        metavar=('W', 'H'))
    parser.add_argument('--iters', type=int, default=100,
                        help='timed frames per block')
    parser.add_argument('--blocks', type=int, default=5,
                        help='alternating model/e2e blocks')
    parser.add_argument('--warmup', type=int, default=20)
    parser.add_argument('--threads', type=int, default=None,
                        help='torch CPU threads (default: torch default)')
    return parser.parse_args()


def _sync(device):
    if torch.device(device).type == 'cuda':
        torch.cuda.synchronize()


def main():
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    model = init_tracker(args.config, args.checkpoint, device=args.device)
    w, h = args.frame_size
    gen = torch.Generator().manual_seed(0)
    frame = torch.randint(0, 256, (3, h, w), dtype=torch.uint8,
                          generator=gen).to(args.device)
    box = torch.tensor([w * 0.4, h * 0.4, w * 0.55, h * 0.6],
                       device=args.device)
    state = model.init(frame, box)

    # the exact search input (and extras) the tracker builds for this state
    size = model.search_size
    search, mask, window = model.crop(frame, state.bbox, model.search_factor,
                                      size)
    extras = model.crop_extras('search', state.bbox, mask, window, size)

    @torch.no_grad()
    def model_step():
        feats = model.backbone.encode_search(search, state.memory, **extras)
        if model.neck is not None:
            feats = model.neck(feats)
        return model.predict_boxes(feats, state.bbox, window, size)

    def e2e_step():
        state.bbox = box.clone()  # keep the search area fixed across frames
        return model.track(frame, state)

    for _ in range(args.warmup):
        model_step()
        e2e_step()
    _sync(args.device)
    times = {'model': [], 'e2e': []}
    for _ in range(args.blocks):
        for name, step in (('model', model_step), ('e2e', e2e_step)):
            _sync(args.device)
            start = time.perf_counter()
            for _ in range(args.iters):
                step()
            _sync(args.device)
            times[name].append((time.perf_counter() - start) / args.iters)
    model_t = statistics.median(times['model'])
    e2e_t = statistics.median(times['e2e'])
    result = dict(
        model_fps=1.0 / model_t,
        e2e_fps=1.0 / e2e_t,
        e2e_over_model_time=e2e_t / model_t,
        model_ms=model_t * 1e3,
        e2e_ms=e2e_t * 1e3,
        block_model_ms=[t * 1e3 for t in times['model']],
        block_e2e_ms=[t * 1e3 for t in times['e2e']],
        device=str(args.device),
        torch_threads=torch.get_num_threads(),
        frame_size=[w, h],
        search_size=model.search_size,
        template_size=model.template_size,
        params_m=sum(p.numel() for p in model.parameters()) / 1e6,
        config=osp.abspath(args.config),
    )
    print(json.dumps(result, indent=2))
    if args.json:
        os.makedirs(osp.dirname(osp.abspath(args.json)), exist_ok=True)
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=2)


if __name__ == '__main__':
    main()
