"""The protocol guard on small configs, as a function and in
``tools/train.py`` / ``tools/test.py``."""
import importlib.util
import logging
import os.path as osp

import pytest
from mmengine.config import Config

from mmtrack_ext.datasets.benchmark_meta import read_meta_names
from mmtrack_ext.evaluation import (ProtocolGuardError, check_protocol,
                                    protocol_guard)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
VOT_FORBIDDEN = [n for _, n in read_meta_names('got10k_vot_exclude.txt')]
LASOT_TEST = [n for _, n in read_meta_names('lasot_test.txt')]


def got10k(split='train', **kw):
    return dict(type='GOT10kDataset', data_root='data/got10k', split=split,
                **kw)


def lasot(split='train', **kw):
    return dict(type='LaSOTDataset', data_root='data/lasot', split=split,
                **kw)


def config(train, test, val=None, **extra):
    cfg = dict(
        train_dataloader=dict(dataset=dict(
            type='SOTPairDataset', datasets=list(train))),
        test_dataloader=dict(dataset=dict(test, test_mode=True)),
        **extra)
    if val is not None:
        cfg['val_dataloader'] = dict(dataset=dict(val, test_mode=True))
    return Config(cfg)


def rules(cfg):
    return [v.rule for v in check_protocol(cfg)]


def test_standard_configs_pass():
    for path in ('configs/onestream/onestream_vit-tiny-p8_center_synthetic.py',
                 'configs/ostrack/ostrack_vit-b16-256_got10k.py',
                 'configs/siamese/siamese_r18_dwcorr_corner_synthetic.py'):
        assert check_protocol(Config.fromfile(osp.join(ROOT, path))) == []
    # full-data training for LaSOT testing is fine
    assert rules(config([got10k(), lasot(), dict(
        type='COCOSOTDataset', data_root='data/coco')], lasot('test'))) == []
    # GOT-10k train (subsets and exclusions too) for the GOT-10k test split
    assert rules(config([got10k(vot_exclude=True),
                         got10k(sequence_list=['GOT-10k_Train_000001'])],
                        got10k('test'))) == []


def test_got10k_one_shot_protocol():
    cfg = config([got10k(), lasot(), dict(type='TrackingNetDataset',
                                          data_root='data/tn',
                                          split='train')],
                 got10k('test'))
    found = check_protocol(cfg)
    assert [v.rule for v in found] == ['got10k_one_shot'] * 2
    assert [v.train for v in found] == [
        'train_dataloader.dataset.datasets[1]',
        'train_dataloader.dataset.datasets[2]']
    assert 'LaSOTDataset' in found[0].message
    assert 'GOT-10k train only' in found[0].message
    # GOT-10k val as a training source is not GOT-10k train
    assert rules(config([got10k('val')], got10k('test'))) == \
        ['got10k_one_shot']
    # the test split named by the val loader counts too, and a
    # RepeatDataset / ConcatDataset is looked into
    cfg = config([], got10k('val'), val=got10k('test'))
    cfg.train_dataloader.dataset = dict(
        type='RepeatDataset', times=2, dataset=dict(
            type='ConcatDataset', datasets=[got10k(), lasot()]))
    found = check_protocol(cfg)
    assert [(v.rule, v.train, v.test) for v in found] == [
        ('got10k_one_shot',
         'train_dataloader.dataset.dataset.datasets[1]',
         'val_dataloader.dataset')]


def test_lasot_test_videos_in_training():
    found = check_protocol(config([got10k(), lasot('all')], lasot('test')))
    assert [v.rule for v in found] == ['overlap']
    assert '280 of its sequences are test sequences' in found[0].message
    assert 'airplane-1' in found[0].message
    # a hand-made training list with two test videos
    mixed = ['airplane-2', LASOT_TEST[5], LASOT_TEST[7]]
    found = check_protocol(config([lasot(sequence_list=mixed)],
                                  lasot('test')))
    assert '2 of its sequences' in found[0].message
    # names are compared whatever the split is called
    assert rules(config([lasot('train')], lasot(
        'test', sequence_list=[LASOT_TEST[0]]))) == []
    assert rules(config([lasot('train')], lasot(
        'test', sequence_list=['airplane-2']))) == ['overlap']


def test_lasot_list_file(tmp_path):
    (tmp_path / 'train.txt').write_text(
        'airplane-2\n' + LASOT_TEST[0] + '\n')
    train = dict(type='LaSOTDataset', data_root=str(tmp_path),
                 sequence_list='train.txt')
    assert rules(config([train], lasot('test'))) == ['overlap']


def test_same_split_of_the_same_dataset():
    assert rules(config([got10k('val')], got10k('val'))) == ['overlap']
    # another copy of the data, or another split: no overlap
    assert rules(config([dict(got10k('val'), data_root='elsewhere')],
                        got10k('val'))) == []
    # disjoint lists of the same split
    assert rules(config([got10k('val', sequence_list=['a', 'b'])],
                        got10k('val', sequence_list=['c']))) == []
    assert rules(config([got10k('val', sequence_list=['a', 'c'])],
                        got10k('val', sequence_list=['c']))) == ['overlap']
    assert rules(config([got10k('val', sequence_list=['a', 'c'],
                                exclude_sequences=['c'])],
                        got10k('val', sequence_list=['c']))) == []
    # in-memory data (no root, split or list): nothing to compare
    toy = dict(type='ToyDataset', num_videos=3)
    assert rules(config([toy], toy)) == []
    assert rules(config([dict(toy, data_root='data/toy')],
                        dict(toy, data_root='data/toy'))) == ['overlap']


def test_vot_exclusion():
    vot = dict(type='VOT2020Dataset', data_root='data/vot2020')
    found = check_protocol(config([got10k(), lasot()], vot))
    assert [v.rule for v in found] == ['vot_exclusion']
    assert '1000 GOT-10k sequences' in found[0].message
    assert 'vot_exclude=True' in found[0].message
    assert rules(config([got10k(vot_exclude=True), lasot()], vot)) == []
    keep = [n for n in ('GOT-10k_Train_000001', 'GOT-10k_Train_000002',
                        'GOT-10k_Train_000003') if n not in VOT_FORBIDDEN]
    assert rules(config([got10k(sequence_list=keep)], vot)) == []
    found = check_protocol(config(
        [got10k(sequence_list=keep + VOT_FORBIDDEN[:2])], vot))
    assert '2 GOT-10k sequences' in found[0].message
    assert rules(config([got10k(exclude_sequences=VOT_FORBIDDEN)],
                        vot)) == []


def test_guard_refuses_or_warns(monkeypatch):
    from mmtrack_ext.evaluation import guard as module
    logged = []
    monkeypatch.setattr(module, 'print_log',
                        lambda msg, **kw: logged.append((msg, kw)))
    cfg = config([lasot('all')], lasot('test'))
    with pytest.raises(ProtocolGuardError, match=r'protocol_guard=False'):
        protocol_guard(cfg)
    assert logged == []
    cfg.protocol_guard = False
    found = protocol_guard(cfg)
    assert [v.rule for v in found] == ['overlap']
    (msg, kw), = logged
    assert msg.startswith('protocol_guard=False: running although')
    assert found[0].message in msg
    assert kw['level'] == logging.WARNING
    assert protocol_guard(config([got10k()], got10k('val'))) == []


def _load(path):
    spec = importlib.util.spec_from_file_location(
        osp.splitext(osp.basename(path))[0], osp.join(ROOT, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_train_and_test_tools_refuse(tmp_path):
    cfg_file = tmp_path / 'bad.py'
    cfg_file.write_text(
        "train_dataloader = dict(dataset=dict(type='SOTPairDataset', "
        "datasets=[dict(type='GOT10kDataset', data_root='d', "
        "split='train'), dict(type='LaSOTDataset', data_root='l', "
        "split='train')]))\n"
        "test_dataloader = dict(dataset=dict(type='GOT10kDataset', "
        "data_root='d', split='test', test_mode=True))\n")
    work = str(tmp_path / 'work')
    with pytest.raises(ProtocolGuardError, match='GOT-10k train only'):
        _load('tools/train.py').main([str(cfg_file), '--work-dir', work])
    with pytest.raises(ProtocolGuardError, match='GOT-10k train only'):
        _load('tools/test.py').main([str(cfg_file), 'none.pth',
                                     '--work-dir', work])
