# The MAT tracker on the GOT-10k one-shot protocol (Table 3 "*": tracker
# trained on GOT-10k train only; pre-train with
# mat_pretrain_vit-b16_got10k.py), freezing protocol, evaluated on GOT-10k
# val (the test split is scored by the GOT-10k server: set
# test_dataloader.dataset.split=test and test_evaluator.format_only=True).
_base_ = ['./mat_track_vit-b16_frozen_full_lasot.py']

train_dataloader = dict(
    dataset=dict(
        datasets=[dict(type='GOT10kDataset', data_root='data/got10k',
                       split='train')],
        dataset_weights=[1.0]))
test_dataloader = dict(
    dataset=dict(type='GOT10kDataset', data_root='data/got10k', split='val'))
test_evaluator = dict(_delete_=True, type='SOTMetric', protocol='got10k')
