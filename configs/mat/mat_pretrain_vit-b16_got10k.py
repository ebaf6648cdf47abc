# MAT pre-training on GOT-10k train only (Table 3 "*": the GOT-10k
# one-shot protocol, pre-training and tracker training on GOT-10k train).
_base_ = ['./mat_pretrain_vit-b16_full.py']

train_dataloader = dict(
    dataset=dict(
        datasets=[dict(type='GOT10kDataset', data_root='data/got10k',
                       split='train')],
        dataset_weights=[1.0]))
