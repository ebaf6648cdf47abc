"""Contracts through the real data pipeline: extras from packed samples, a
plugin backbone registered from outside the package."""
import os.path as osp
import sys

import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from mmtrack_ext.registry import MODELS
from mmtrack_ext.structures import box_to_crop, crop_window
from mmtrack_ext.utils import register_all_modules

register_all_modules()
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PLUGIN = osp.join(ROOT, 'projects', 'example_plugin')
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))


def test_plugin_backbone_gets_the_template_boxes_of_the_pipeline(
        synthetic_root):
    sys.path.insert(0, PLUGIN)
    try:
        cfg = Config.fromfile(osp.join(
            PLUGIN, 'configs', 'onestream_vit-tiny_box-prompted_synthetic.py'))
        import example_plugin  # noqa: F401  (what custom_imports does)
    finally:
        sys.path.pop(0)
    loader_cfg = cfg.train_dataloader.copy()
    loader_cfg.dataset.datasets[0].data_root = synthetic_root
    loader_cfg.update(batch_size=4, num_workers=0, persistent_workers=False)
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    dataset = loader.dataset.datasets[0]
    batch = next(iter(loader))
    model = MODELS.build(cfg.model)
    seen = []
    encode = model.backbone.encode_template

    def spy(template, template_boxes=None, **extras):
        seen.append(template_boxes)
        return encode(template, template_boxes=template_boxes, **extras)

    model.backbone.encode_template = spy
    data = model.data_preprocessor(batch, True)
    model(**data, mode='loss')
    boxes = seen[-1]
    assert boxes.shape == (4, 1, 4)
    # recompute each template's box from the annotation: the template crop
    # is not jittered, so it is the window of the true box
    crop = next(t for t in cfg.train_pipeline if t['type'] == 'SearchAreaCrop')
    names = [dataset.get_video_name(i) for i in range(dataset.num_videos)]
    for sample, box in zip(batch['data_samples'], boxes):
        video = names.index(sample.metainfo['video_name'])
        frame = sample.metainfo['template_frame_ids'][0]
        gt = dataset.get_annotation(video)['bboxes_xywh'][frame].astype(
            np.float64)
        gt[2:] += gt[:2]
        window = crop_window(gt, crop['template_factor'])
        expected = box_to_crop(gt, window, crop['template_size']) / crop[
            'template_size']
        flipped = expected.copy()  # JointFlip mirrors the pair
        flipped[[0, 2]] = 1 - expected[[2, 0]]
        got = box[0].numpy()
        assert (np.allclose(got, expected, atol=1e-4)
                or np.allclose(got, flipped, atol=1e-4)), (got, expected)
    # tracking: the init box mapped through its crop window
    model.eval()
    img = torch.zeros(3, 120, 160, dtype=torch.uint8)
    model.init(img, torch.tensor([40., 30., 80., 70.]))
    torch.testing.assert_close(seen[-1],
                               torch.tensor([[[0.25, 0.25, 0.75, 0.75]]]))


def test_plugin_head_gets_the_pair_labels_of_the_pipeline(synthetic_root):
    """A head registered from another package (the example plugin's), with
    negative pairs switched on in its config only: its loss sees each
    pair's label, 0 for the negatives the sampler drew."""
    sys.path.insert(0, PLUGIN)
    try:
        cfg = Config.fromfile(osp.join(
            PLUGIN, 'configs',
            'onestream_vit-tiny_shared-tower-head_synthetic.py'))
        import example_plugin  # noqa: F401  (what custom_imports does)
    finally:
        sys.path.pop(0)
    loader_cfg = cfg.train_dataloader.copy()
    loader_cfg.dataset.datasets[0].data_root = synthetic_root
    loader_cfg.dataset.frame_sampler.positive_ratio = 0.5
    loader_cfg.update(batch_size=8, num_workers=0, persistent_workers=False)
    batch = next(iter(Runner.build_dataloader(loader_cfg, seed=0)))
    model = MODELS.build(cfg.model)
    assert type(model.head).__module__.startswith('example_plugin')
    seen = []
    loss_by_feat = model.head.loss_by_feat

    def spy(outs, data_samples):
        seen.append([int(s.gt_instances.labels[0]) for s in data_samples])
        return loss_by_feat(outs, data_samples)

    model.head.loss_by_feat = spy
    losses = model(**model.data_preprocessor(batch, True), mode='loss')
    labels = [int(s.gt_instances.labels[0]) for s in batch['data_samples']]
    assert seen == [labels] and set(labels) == {0, 1}
    assert all(torch.isfinite(v) for v in losses.values())


_PRETEXT_MODULE = '''
import torch.nn.functional as F
from mmtrack_ext.models import BasePretextModel
from mmtrack_ext.registry import MODELS


@MODELS.register_module(force=True)
class MeanColourPretext(BasePretextModel):
    """Predict the mean colour of the search crop from its features."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        import torch.nn as nn
        self.pred = nn.Linear(self.backbone.embed_dim, 3)
        self.setup_freezing()

    def loss(self, inputs, data_samples):
        feats = self.backbone(inputs['template'], inputs['search'])
        pred = self.pred(feats.search.mean((2, 3)))
        return dict(loss_mean=F.mse_loss(pred,
                                         inputs['search'].mean((2, 3))))
'''

_PRETEXT_CONFIG = '''
_base_ = ['{root}/configs/onestream/onestream_vit-tiny-p8_center_synthetic.py']
custom_imports = dict(imports=['toy_pretext'], allow_failed_imports=False)
model = dict(_delete_=True, type='MeanColourPretext',
             backbone={{{{_base_.model.backbone}}}})
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
'''


def test_pretext_model_trains_without_val_and_test_loaders_and_feeds_a_tracker(
        synthetic_root, tmp_path):
    from integration_utils import run_tool, small_train_options, tool_env
    (tmp_path / 'toy_pretext.py').write_text(_PRETEXT_MODULE)
    config = tmp_path / 'toy_pretext_config.py'
    config.write_text(_PRETEXT_CONFIG.format(root=ROOT))
    work = tmp_path / 'work'
    env = tool_env()
    env['PYTHONPATH'] = f"{tmp_path}:{env.get('PYTHONPATH', '')}"
    run_tool(['tools/train.py', str(config), '--work-dir', str(work),
              '--cfg-options',
              *small_train_options(synthetic_root, eval_loaders=False)],
             timeout=300, what='train.py (pretext model)', env=env)
    ckpt = str(work / 'epoch_1.pth')
    tracker_cfg = Config.fromfile(osp.join(
        ROOT, 'configs', 'onestream',
        'onestream_vit-tiny-p8_center_synthetic.py')).model
    tracker_cfg.backbone.update(pretrained=ckpt,
                                pretrained_prefix='backbone.')
    tracker = MODELS.build(tracker_cfg)
    tracker.init_weights()
    from mmtrack_ext.engine import safe_torch_load
    state = safe_torch_load(ckpt, map_location='cpu')['state_dict']
    torch.testing.assert_close(tracker.backbone.blocks[0].attn.qkv.weight,
                               state['backbone.blocks.0.attn.qkv.weight'])
