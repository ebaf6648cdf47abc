"""Fixtures of the end-to-end tests."""
import pytest


@pytest.fixture(scope='module')
def synthetic_root(tmp_path_factory) -> str:
    """A tiny synthetic GOT-10k-layout dataset (6 train, 3 val videos of
    30-40 frames) shared by the tests of a module."""
    from mmtrack_ext.datasets import make_synthetic_dataset
    root = str(tmp_path_factory.mktemp('synthetic'))
    out = make_synthetic_dataset(
        root, num_train=6, num_val=3, seed=0, length_range=(30, 40),
        num_workers=1, verbose=False)
    assert out['train']['num_sequences'] == 6
    assert out['val']['num_sequences'] == 3
    return root
