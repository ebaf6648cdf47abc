"""Show what a masked-reconstruction pre-training model (MAT) produces.

For a few training pairs of the config's pipeline (frames of the val split
by default), one row per pair:

    template | masked template | transfer target | its reconstruction |
    search   | masked search   | search reconstruction

Masked patches are drawn grey; in the reconstructions the visible patches
are the model's predictions too (nothing pasted back), so a blurry but
well-placed target in the 4th column is what a working MAT run looks like.

Example::

    python tools/analysis_tools/show_reconstruction.py \
        configs/mat/mat_pretrain_vit-tiny_synthetic.py \
        work_dirs/mat_pretrain/epoch_30.pth --out recon.png
"""
import argparse
import copy
import os
import os.path as osp
import sys

import cv2
import numpy as np
import torch

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmtrack_ext.apis import init_tracker  # noqa: E402
from mmtrack_ext.models.pretext import unpatchify  # noqa: E402
from mmtrack_ext.utils import register_all_modules  # noqa: E402

COLUMNS = ('template', 'masked template', 'transfer target',
           'reconstruction', 'search', 'masked search', 'reconstruction')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='pre-training config (e.g. MAT)')
    parser.add_argument('checkpoint', help='its checkpoint')
    parser.add_argument('--out', required=True, help='output image (.png)')
    parser.add_argument('--num-pairs', type=int, default=4)
    parser.add_argument('--split', default='val',
                        help="split of the training datasets to draw pairs "
                        "from ('' keeps the config's)")
    parser.add_argument('--data-root', default=None,
                        help='data root of every training dataset')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def _to_bgr(img: torch.Tensor, preprocessor) -> np.ndarray:
    """``(3, H, W)`` normalised RGB -> ``(H, W, 3)`` uint8 BGR."""
    img = img.float().cpu() * preprocessor.std.cpu() + \
        preprocessor.mean.cpu()
    if preprocessor.bgr_to_rgb:
        img = img.flip(0)
    return img.clamp(0, 255).byte().permute(1, 2, 0).numpy().copy()


def _grey_out(img: np.ndarray, keep, grid, patch: int) -> np.ndarray:
    """Grey the patches not listed in ``keep`` (``None``: all visible)."""
    if keep is None:
        return img
    out = np.full_like(img, 127)
    for idx in keep.tolist():
        r, c = divmod(int(idx), grid[1])
        ys = slice(r * patch, (r + 1) * patch)
        xs = slice(c * patch, (c + 1) * patch)
        out[ys, xs] = img[ys, xs]
    return out


def render(model, inputs, num: int, cell: int = 128) -> np.ndarray:
    """The comparison grid of ``num`` pairs as one BGR image."""
    with torch.no_grad():
        out = model.reconstruct(inputs)
    pre = model.data_preprocessor
    p = model.backbone.patch_size
    template = inputs['template'].flatten(0, -4)
    target = inputs[model.transfer_role].flatten(0, -4)
    search = inputs['search']
    z_rec = unpatchify(out['template_pred'], out['template_grid'], p)
    x_rec = unpatchify(out['search_pred'], out['search_grid'], p)
    rows = []
    for i in range(min(num, search.shape[0])):
        z_keep = None if out['template_keep'] is None \
            else out['template_keep'][i]
        x_keep = None if out['search_keep'] is None \
            else out['search_keep'][i]
        z = _to_bgr(template[i], pre)
        x = _to_bgr(search[i], pre)
        tiles = [z, _grey_out(z, z_keep, out['template_grid'], p),
                 _to_bgr(target[i], pre), _to_bgr(z_rec[i], pre), x,
                 _grey_out(x, x_keep, out['search_grid'], p),
                 _to_bgr(x_rec[i], pre)]
        rows.append(np.concatenate(
            [cv2.resize(t, (cell, cell), interpolation=cv2.INTER_NEAREST)
             for t in tiles], axis=1))
    header = np.full((22, cell * len(COLUMNS), 3), 255, np.uint8)
    for j, name in enumerate(COLUMNS):
        cv2.putText(header, name, (j * cell + 4, 15),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1,
                    cv2.LINE_AA)
    return np.concatenate([header] + rows, axis=0)


def main():
    args = parse_args()
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    model = init_tracker(cfg, args.checkpoint, device=args.device)
    if not hasattr(model, 'reconstruct'):
        raise TypeError(f'{args.config}: {type(model).__name__} is not a '
                        'reconstruction pre-training model (no reconstruct)')
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    loader_cfg.update(batch_size=args.num_pairs, num_workers=0,
                      persistent_workers=False)
    loader_cfg.dataset.samples_per_epoch = args.num_pairs
    subs = loader_cfg.dataset.get('datasets', [loader_cfg.dataset])
    for sub in subs:
        if args.split:
            sub.split = args.split
        if args.data_root:
            sub.data_root = args.data_root
    loader = Runner.build_dataloader(loader_cfg, seed=args.seed)
    torch.manual_seed(args.seed)
    data = model.data_preprocessor(next(iter(loader)), False)
    grid = render(model, data['inputs'], args.num_pairs)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    if not cv2.imwrite(args.out, grid):
        raise OSError(f'could not write {args.out}')
    print(f'wrote {args.out} ({grid.shape[1]} x {grid.shape[0]} px)')


if __name__ == '__main__':
    main()
