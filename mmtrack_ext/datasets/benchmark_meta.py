"""Benchmark metadata shipped with the package (``datasets/meta/``).

Some benchmarks need facts that their download does not contain. They are
kept as data files next to this module:

- ``lasot_test.txt``: LaSOT protocol-II test split, 280 sequences (4 of
  each of the 70 categories), as listed by pytracking
  (``pytracking/evaluation/lasotdataset.py``);
- ``lasot_train.txt``: LaSOT protocol-II training split, 1120 sequences,
  the other 16 of every category (the same names as pytracking's
  ``ltr/data_specs/lasot_train_split.txt``);
- ``lasot_ext.txt``: LaSOT_ext, 150 sequences, 10 of each of 15 new
  categories (pytracking's ``lasotextensionsubsetdataset.py``);
- ``got10k_vot_exclude.txt``: the 1000 GOT-10k training sequences that the
  VOT challenges forbid for training (pytracking's
  ``ltr/data_specs/got10k_vot_exclude.txt``);
- ``nfs.json``: NfS 30 fps, per sequence the number of frames, object class
  and occlusion attribute (pytracking's ``endFrame``, ``object_class`` and
  ``occlusion`` in ``pytracking/evaluation/nfsdataset.py``).
"""
import json
import os.path as osp
from typing import List, Tuple

from .parsing import read_name_list

__all__ = ['META_DIR', 'meta_path', 'read_meta_names', 'load_meta_json']

#: Folder of the metadata files.
META_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'meta')


def meta_path(filename: str) -> str:
    """Path of a metadata file (it must exist)."""
    path = osp.join(META_DIR, filename)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'benchmark metadata file not found: {path} (is the package '
            'installed with its data files?)')
    return path


def read_meta_names(filename: str) -> List[Tuple[int, str]]:
    """``(line, name)`` of a shipped name list (see
    :func:`~mmtrack_ext.datasets.parsing.read_name_list`)."""
    return read_name_list(meta_path(filename))


def load_meta_json(filename: str) -> dict:
    """Contents of a shipped JSON metadata file."""
    with open(meta_path(filename), encoding='utf-8') as f:
        return json.load(f)
