"""Train a tiny tracker on synthetic data and evaluate it.

One command on a CPU machine:

1. generates the synthetic GOT-10k-format dataset if it is missing;
2. measures the training speed and sizes the schedule to ``--minutes``
   (``TimeBudgetHook`` corrects it after every epoch, so a machine that
   speeds up or slows down still trains for about that long);
3. trains ``--config`` (default
   ``configs/onestream/onestream_vit-tiny-p8_center_synthetic.py``; any
   tracker config that trains on the synthetic data works, e.g. every
   method's tiny CPU config) with the MMEngine Runner;
4. evaluates on the synthetic val split (GOT-10k protocol), next to a
   keep-the-first-box baseline, prints a table and writes
   ``{work_dir}/metrics.json``, per-sequence results and an annotated video.

A pre-training (pretext) config, e.g.
``configs/mat/mat_pretrain_vit-tiny_synthetic.py``, is trained the same way;
step 4 then reports its losses on pairs of the val split (next to the loss
of predicting the mean image) instead of AO, and the checkpoint to give to a
tracker (``--cfg-options model.backbone.pretrained=...``).
"""
import argparse
import json
import math
import os
import os.path as osp
import sys
import time

from mmengine.config import DictAction

HERE = osp.dirname(osp.abspath(__file__))
ROOT = osp.dirname(HERE)
sys.path.insert(0, ROOT)

DEFAULT_CONFIG = osp.join(
    ROOT, 'configs', 'onestream', 'onestream_vit-tiny-p8_center_synthetic.py')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--minutes', type=float, default=10.,
                        help='training time budget in minutes')
    parser.add_argument('--work-dir', default='work_dirs/quickstart')
    parser.add_argument('--data-root', default='data/synthetic',
                        help='synthetic data folder (generated if missing)')
    parser.add_argument('--config', default=DEFAULT_CONFIG,
                        help='tracker config that trains on the synthetic '
                        'data (default: the tiny one-stream tracker)')
    parser.add_argument('--num-train', type=int, default=600,
                        help='synthetic training sequences')
    parser.add_argument('--num-val', type=int, default=40,
                        help='synthetic validation sequences')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--no-video', action='store_true',
                        help='skip writing the annotated video')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, key=value (e.g. '
        'model.test_cfg.size_lr=0.5)')
    return parser.parse_args()


def main():
    args = parse_args()
    from mmengine.config import Config
    from mmengine.runner import Runner
    from terminaltables import AsciiTable

    from mmtrack_ext.datasets import make_synthetic_dataset
    from mmtrack_ext.models import BasePretextModel
    from mmtrack_ext.registry import MODELS
    from mmtrack_ext.utils import register_all_modules
    register_all_modules()

    t0 = time.time()
    work_dir = osp.abspath(args.work_dir)
    os.makedirs(work_dir, exist_ok=True)
    print(f'[1/4] synthetic data in {args.data_root}')
    make_synthetic_dataset(
        args.data_root, num_train=args.num_train, num_val=args.num_val,
        seed=args.seed)
    print(f'      ready after {time.time() - t0:.0f} s')

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = work_dir
    pretext = issubclass(MODELS.get(cfg.model.type), BasePretextModel)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(loader):
            _set_data_root(cfg[loader].dataset, osp.abspath(args.data_root))
    cfg.randomness = dict(seed=args.seed)
    if not pretext:
        cfg.test_evaluator.outfile_prefix = osp.join(work_dir, 'results')
    # evaluate once, after training (runner.test below)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None

    print(f'[2/4] sizing the schedule to {args.minutes:g} min of training')
    calibrate_schedule(cfg, minutes=args.minutes)
    print(f'      {cfg.train_cfg.max_epochs} epochs x '
          f'{cfg.train_dataloader.dataset.samples_per_epoch} pairs (first '
          'estimate; corrected after every epoch to fit the budget)')
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(type='TimeBudgetHook', minutes=args.minutes)]

    print('[3/4] training')
    runner = Runner.from_cfg(cfg)
    runner.train()
    print(f'      trained in {(time.time() - t0) / 60:.1f} min since start')
    if pretext:
        _report_pretext(runner, cfg, work_dir, args.seed)
        print(f'total {(time.time() - t0) / 60:.1f} min')
        return

    print('[4/4] evaluating on the synthetic val split')
    metrics = runner.test()
    metrics = {k.split('/')[-1]: float(v) for k, v in metrics.items()}
    baseline = _keep_first_box_baseline(runner.test_dataloader.dataset)
    rows = [['tracker', 'AO', 'SR0.5', 'SR0.75'],
            ['keep-first-box baseline'] +
            [f"{baseline[k]:.3f}" for k in ('AO', 'SR0.5', 'SR0.75')],
            [osp.splitext(osp.basename(args.config))[0]] +
            [f"{metrics[k]:.3f}" for k in ('AO', 'SR0.5', 'SR0.75')]]
    print(AsciiTable(rows, title='synthetic val (GOT-10k protocol)').table)
    out = {k: metrics[k] for k in ('AO', 'SR0.5', 'SR0.75')}
    out.update({f'baseline_{k}': baseline[k] for k in ('AO', 'SR0.5',
                                                       'SR0.75')})
    with open(osp.join(work_dir, 'metrics.json'), 'w') as f:
        json.dump(out, f, indent=2)
    if not args.no_video:
        path = _write_video(runner, cfg, work_dir)
        print(f'annotated video: {path}')
    print(f'metrics: {osp.join(work_dir, "metrics.json")}; '
          f'total {(time.time() - t0) / 60:.1f} min')


def calibrate_schedule(cfg, minutes, warmup_iters=5, timed_iters=16):
    """Set ``max_epochs`` so training takes about ``minutes``.

    Runs a few real training iterations (data loading, forward, backward,
    optimiser step, with the config's optimiser wrapper) and divides the
    budget by the median time per iteration (the first iterations of a
    process are slower than the steady state and are not timed).
    """
    import statistics

    import torch
    from mmengine.optim import build_optim_wrapper
    from mmengine.runner import Runner
    from mmtrack_ext.registry import MODELS
    model = MODELS.build(cfg.model)
    model.train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    loader_cfg = cfg.train_dataloader.copy()
    loader_cfg['persistent_workers'] = False
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    it = iter(loader)
    times = []
    for i in range(warmup_iters + timed_iters):
        start = time.perf_counter()
        data = next(it)
        with optim_wrapper.optim_context(model):
            data = model.data_preprocessor(data, True)
            losses = model(**data, mode='loss')
        loss = sum(v for k, v in losses.items() if 'loss' in k)
        optim_wrapper.update_params(loss)
        if i >= warmup_iters:
            times.append(time.perf_counter() - start)
    sec_per_iter = statistics.median(times)
    del it, loader
    batch = cfg.train_dataloader.batch_size
    iters_per_epoch = math.ceil(
        cfg.train_dataloader.dataset.samples_per_epoch / batch)
    # ~3% for logging, checkpoints and epoch boundaries
    total_iters = minutes * 60 * 0.97 / sec_per_iter
    old_epochs = cfg.train_cfg.max_epochs
    new_epochs = max(1, int(round(total_iters / iters_per_epoch)))
    if total_iters < iters_per_epoch:  # a budget shorter than one epoch
        samples = max(1, int(round(total_iters))) * batch
        cfg.train_dataloader.dataset.samples_per_epoch = samples
    cfg.train_cfg.max_epochs = new_epochs
    # stretch the schedulers that ended with the old schedule
    for scheduler in cfg.param_scheduler:
        if scheduler.get('end') == old_epochs:
            scheduler['end'] = new_epochs
            if 'T_max' in scheduler:
                scheduler['T_max'] = new_epochs - scheduler.get('begin', 0)
    print(f'      {sec_per_iter:.3f} s/iter (batch {batch}, '
          f'{torch.get_num_threads()} threads)')
    return sec_per_iter


def _report_pretext(runner, cfg, work_dir, seed, num_pairs=256):
    """Losses of a pre-training model on pairs of the val split, next to
    the loss of predicting the mean image (0 in normalised pixels)."""
    import copy

    import torch
    from mmengine.runner import Runner
    from terminaltables import AsciiTable
    from mmtrack_ext.models.pretext import masked_patch_mse
    print('[4/4] reconstruction losses on synthetic val pairs')
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    loader_cfg.update(num_workers=0, persistent_workers=False)
    dataset_cfg = loader_cfg.dataset
    dataset_cfg.samples_per_epoch = num_pairs
    for sub in dataset_cfg.datasets:
        sub.split = 'val'
    loader = Runner.build_dataloader(loader_cfg, seed=seed)
    model = runner.model
    model.eval()
    torch.manual_seed(seed)
    sums, count = {}, 0
    with torch.no_grad():
        for batch in loader:
            data = model.data_preprocessor(batch, False)
            losses = model.loss(**data)
            inputs = data['inputs']
            for key, img in (('template', inputs[model.transfer_role]),
                             ('search', inputs['search'])):
                target = model.patch_targets(img.flatten(0, -4))
                losses[f'mean_image_{key}'] = masked_patch_mse(
                    torch.zeros_like(target), target, None)
            n = inputs['search'].shape[0]
            for k, v in losses.items():
                sums[k] = sums.get(k, 0.) + float(v) * n
            count += n
    out = {k: v / count for k, v in sums.items()}
    rows = [['', 'L_template', 'L_search'],
            ['predict the mean image',
             f"{out['mean_image_template']:.4f}",
             f"{out['mean_image_search']:.4f}"],
            [osp.splitext(osp.basename(cfg.filename))[0],
             f"{out['loss_template']:.4f}", f"{out['loss_search']:.4f}"]]
    print(AsciiTable(rows, title=f'masked-patch MSE on {count} val pairs '
                     '(normalised pixels)').table)
    with open(osp.join(work_dir, 'metrics.json'), 'w') as f:
        json.dump(out, f, indent=2)
    ckpt = osp.join(work_dir, f'epoch_{runner.epoch}.pth')
    print(f'metrics: {osp.join(work_dir, "metrics.json")}\n'
          f'checkpoint for a tracker: --cfg-options '
          f'model.backbone.pretrained={ckpt}')


def _set_data_root(dataset_cfg, data_root):
    if 'datasets' in dataset_cfg:
        for sub in dataset_cfg.datasets:
            _set_data_root(sub, data_root)
    elif 'data_root' in dataset_cfg:
        dataset_cfg.data_root = data_root


def _keep_first_box_baseline(dataset):
    """GOT-10k metrics of a tracker that never moves its first box."""
    import numpy as np
    from mmtrack_ext.evaluation import evaluate_sequences
    sequences = {}
    for i in range(dataset.num_videos):
        ann = dataset.get_annotation(i)
        gt = ann['bboxes_xywh']
        sequences[dataset.get_video_name(i)] = dict(
            pred=np.repeat(gt[:1], len(gt), axis=0), gt=gt,
            cover=ann.get('cover'), absent=ann.get('absent'),
            resolution=dataset.get_resolution(i))
    return evaluate_sequences('got10k', sequences)['overall']


def _write_video(runner, cfg, work_dir):
    import cv2
    from mmtrack_ext.evaluation import read_results
    from mmtrack_ext.visualization import write_tracking_video
    dataset = runner.test_dataloader.dataset
    name = dataset.get_video_name(0)
    pred = read_results(osp.join(work_dir, 'results', name, f'{name}_001.txt'))
    gt = dataset.get_annotation(0)['bboxes_xywh']
    frames = (cv2.imread(dataset.get_frame_path(0, f))
              for f in range(dataset.get_video_length(0)))
    path = osp.join(work_dir, f'{name}.mp4')
    return write_tracking_video(path, frames, zip(pred, gt))


if __name__ == '__main__':
    main()
