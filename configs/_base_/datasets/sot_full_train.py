# Training pairs from the four sources of "full-data" trackers (STARK,
# OSTrack, ...): GOT-10k train, LaSOT train (protocol II), TrackingNet
# TRAIN_0..11 and COCO 2017 train as static-image pairs, equal weights.
# Training only: combine with a test base (test_lasot.py, test_uav123.py,
# ...). Not for the GOT-10k one-shot protocol (GOT-10k train only; the
# protocol guard refuses it), nor for VOT2020 without
# GOT10kDataset(vot_exclude=True).
_base_ = './sot_train.py'

train_dataloader = dict(
    dataset=dict(
        datasets=[
            dict(type='GOT10kDataset', data_root='data/got10k',
                 split='train'),
            dict(type='LaSOTDataset', data_root='data/lasot', split='train'),
            dict(type='TrackingNetDataset', data_root='data/trackingnet',
                 split='train'),
            dict(type='COCOSOTDataset', data_root='data/coco',
                 split='train2017'),
        ],
        dataset_weights=[1.0, 1.0, 1.0, 1.0]))
