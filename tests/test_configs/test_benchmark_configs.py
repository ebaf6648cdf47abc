"""The benchmark test bases and the full-data training config: they load,
their evaluators build, their dataset arguments fit the loaders, and their
protocols are the benchmarks' defaults."""
import inspect
import os.path as osp

import pytest
from mmengine.config import Config

from mmtrack_ext.evaluation import DEFAULT_PROTOCOLS, check_protocol
from mmtrack_ext.evaluation.functional import default_protocol
from mmtrack_ext.registry import DATASETS, METRICS
from mmtrack_ext.utils import register_all_modules

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BASES = osp.join(ROOT, 'configs', '_base_', 'datasets')

register_all_modules()


def _fits(dataset_cfg):
    cls = DATASETS.get(dataset_cfg['type'])
    assert cls is not None, dataset_cfg['type']
    kwargs = {k: v for k, v in dataset_cfg.items() if k != 'type'}
    params = inspect.signature(cls.__init__).parameters
    if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
        inspect.signature(cls.__init__).bind(None, **kwargs)
    else:  # the rest goes to BaseSOTDataset / BaseDataset
        from mmtrack_ext.datasets import BaseSOTDataset
        own = {k: v for k, v in kwargs.items() if k in params}
        rest = {k: v for k, v in kwargs.items() if k not in params}
        inspect.signature(cls.__init__).bind_partial(None, **own)
        base = inspect.signature(BaseSOTDataset.__init__).parameters
        assert set(rest) <= set(base), sorted(set(rest) - set(base))


@pytest.mark.parametrize('name', [
    'lasot', 'lasot_ext', 'tnl2k', 'nfs', 'otb100', 'uav123'])
def test_benchmark_test_bases(name, tmp_path):
    cfg = Config.fromfile(osp.join(BASES, f'test_{name}.py'))
    _fits(cfg.test_dataloader.dataset)
    assert cfg.test_dataloader.dataset.test_mode
    assert cfg.test_dataloader.sampler.type == 'VideoSampler'
    ev = cfg.test_evaluator
    protocol, options = default_protocol(name)
    assert ev.protocol == DEFAULT_PROTOCOLS[name] == protocol
    assert ev.get('protocol_options', {}).get(protocol, {}) == options
    metric = METRICS.build(dict(ev, outfile_prefix=str(tmp_path)))
    assert metric.protocols == [protocol]


@pytest.mark.parametrize('name', ['got10k_test', 'trackingnet'])
def test_server_test_bases_only_write_results(name, tmp_path):
    cfg = Config.fromfile(osp.join(BASES, f'test_{name}.py'))
    _fits(cfg.test_dataloader.dataset)
    assert cfg.test_dataloader.dataset.split == 'test'
    ev = dict(cfg.test_evaluator, outfile_prefix=str(tmp_path))
    assert ev['format_only']
    METRICS.build(ev)


def test_full_data_config():
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'ostrack',
                 'ostrack_vit-b16-256_full_lasot.py'))
    sources = cfg.train_dataloader.dataset.datasets
    assert [d.type for d in sources] == [
        'GOT10kDataset', 'LaSOTDataset', 'TrackingNetDataset',
        'COCOSOTDataset']
    for d in sources:
        _fits(d)
    assert cfg.test_dataloader.dataset.type == 'LaSOTDataset'
    assert cfg.val_cfg is None and cfg.get('val_dataloader') is None
    # LaSOT train and test are disjoint: the protocol guard agrees
    assert check_protocol(cfg) == []
    # ... and refuses the same sources for the GOT-10k one-shot protocol
    test = Config.fromfile(osp.join(BASES, 'test_got10k_test.py'))
    cfg.test_dataloader = test.test_dataloader
    assert {v.rule for v in check_protocol(cfg)} == {'got10k_one_shot'}


@pytest.mark.parametrize('base', [
    'test_lasot', 'test_lasot_ext', 'test_tnl2k', 'test_nfs', 'test_otb100',
    'test_uav123', 'test_trackingnet', 'test_got10k_test', 'got10k'])
@pytest.mark.parametrize('table,model', [
    ('siamcar_test_cfg', 'cnninmo_r50_car.py'),
    ('transinmo_test_cfg', 'transinmo_swin-t.py')])
def test_per_benchmark_tracking_tables_fit_their_models(base, table, model):
    """Each test base's table of a method's tracking hyper-parameters,
    merged into that method's test_cfg, is a valid TrackingConfig whose
    window and penalty build."""
    from mmengine.config import ConfigDict

    from mmtrack_ext.models.trackers import TrackingConfig
    from mmtrack_ext.registry import TASK_UTILS
    cfg = Config.fromfile(osp.join(BASES, f'{base}.py'))
    model_cfg = Config.fromfile(
        osp.join(ROOT, 'configs', '_base_', 'models', model))
    merged = Config(dict(test_cfg=model_cfg.model.test_cfg.to_dict()))
    merged.merge_from_dict(dict(test_cfg=cfg[table].to_dict()))
    test_cfg = TrackingConfig.from_dict(
        ConfigDict(merged.test_cfg).to_dict(), where=f'{base}.{table}')
    window = TASK_UTILS.build(test_cfg.window)
    assert 0 <= window.influence < 1
    assert TASK_UTILS.build(test_cfg.size_penalty).k >= 0
    assert 0 < test_cfg.size_lr <= 1
