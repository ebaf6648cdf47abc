"""Losses: reductions, normalisers, class weights, their reference
formulas."""
import pytest
import torch
import torch.nn.functional as F
from torchvision.ops import generalized_box_iou_loss

from mmtrack_ext.models.losses import (CrossEntropyLoss, GIoULoss, L1Loss,
                                       gaussian_focal_loss, normalizer,
                                       weighted_reduce)


@pytest.mark.parametrize('class_weight', [None, [1.0, 0.0625],
                                          [0.0625, 1.0, 2.0]])
def test_cross_entropy_matches_torch_weighted_mean(class_weight):
    torch.manual_seed(0)
    k = 2 if class_weight is None else len(class_weight)
    logits = torch.randn(4, k, 9)
    target = torch.randint(0, k, (4, 9))
    target[0, :3] = -100  # ignored
    weight = None if class_weight is None else torch.tensor(class_weight)
    expected = F.cross_entropy(logits, target, weight=weight)
    got = CrossEntropyLoss(class_weight, loss_weight=2.0)(logits, target)
    torch.testing.assert_close(got, 2 * expected)


def test_cross_entropy_checks_the_number_of_classes():
    with pytest.raises(ValueError, match='3 classes.*2 class weights'):
        CrossEntropyLoss([1.0, 0.5])(torch.randn(2, 3), torch.zeros(2))


def test_box_losses_weights_and_avg_factor():
    torch.manual_seed(0)
    pred = torch.rand(6, 4)
    pred[:, 2:] += pred[:, :2]
    target = torch.rand(6, 4)
    target[:, 2:] += target[:, :2]
    ref = generalized_box_iou_loss(pred, target, reduction='none')
    torch.testing.assert_close(GIoULoss()(pred, target), ref.mean())
    weight = torch.tensor([1., 0., 1., 0., 0., 1.])
    avg = normalizer(weight.sum())
    torch.testing.assert_close(GIoULoss()(pred, target, weight, avg),
                               (ref * weight).sum() / 3)
    l1 = (pred - target).abs().mean(-1)
    torch.testing.assert_close(L1Loss(5.)(pred, target, weight, avg),
                               5 * (l1 * weight).sum() / 3)


def test_normalizer_is_a_clamped_detached_tensor():
    count = torch.tensor(0., requires_grad=True)
    out = normalizer(count)
    assert isinstance(out, torch.Tensor) and not out.requires_grad
    assert out.item() == 1.0
    assert normalizer(7, device='cpu').item() == 7.0
    assert weighted_reduce(torch.zeros(0)).item() == 0.0


def test_gaussian_focal_loss_formula_and_all_negative_maps():
    pred = torch.tensor([[[[0.9, 0.2], [0.1, 0.3]]]])
    target = torch.tensor([[[[1.0, 0.5], [0.0, 0.25]]]])
    pos = -torch.log(torch.tensor(0.9)) * 0.1**2
    neg = sum(-torch.log(torch.tensor(1 - p)) * p**2 * (1 - t)**4
              for p, t in ((0.2, 0.5), (0.1, 0.0), (0.3, 0.25)))
    torch.testing.assert_close(gaussian_focal_loss(pred, target),
                               pos + neg, rtol=1e-5, atol=1e-6)
    # a negative pair: an all-zero map, divided by 1, pushes every cell to 0
    zero = torch.zeros_like(target)
    loss = gaussian_focal_loss(pred, zero)
    assert torch.isfinite(loss) and loss > 0


def _normalizer_worker(rank, world_size, port, out):
    import torch.distributed as dist
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}',
                            rank=rank, world_size=world_size)
    try:
        # 1 positive on rank 0, 3 on rank 1: both divide by the mean, 2
        count = torch.tensor(float(2 * rank + 1))
        out[rank] = normalizer(count).item()
    finally:
        dist.destroy_process_group()


def test_normalizer_is_averaged_across_processes():
    import socket

    import torch.multiprocessing as mp
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    out = mp.get_context('spawn').Manager().dict()
    mp.spawn(_normalizer_worker, args=(2, port, out), nprocs=2, join=True)
    assert dict(out) == {0: 2.0, 1: 2.0}


def test_quality_focal_loss_is_the_gfl_formula():
    """QFL = -|y - s|^b ((1 - y) log(1 - s) + y log s), s = sigmoid(x)."""
    from mmtrack_ext.models.losses import QualityFocalLoss, quality_focal_loss
    logits = torch.tensor([2.0, -1.0, 0.3, -3.0])
    target = torch.tensor([0.8, 0.0, 0.5, 1.0])
    s = logits.sigmoid()
    expected = -(target - s).abs()**2 * ((1 - target) * torch.log(1 - s) +
                                         target * torch.log(s))
    torch.testing.assert_close(quality_focal_loss(logits, target), expected)
    # a perfect quality estimate costs nothing whatever the target
    exact = torch.logit(torch.tensor([0.3, 0.9]))
    assert quality_focal_loss(exact, torch.tensor([0.3, 0.9])).abs().max() < 1e-6
    # normalised by the given factor
    loss = QualityFocalLoss(loss_weight=2.0)(logits, target, avg_factor=2.0)
    torch.testing.assert_close(loss, expected.sum())
    # on probabilities (a score times an estimated quality) it is the same
    torch.testing.assert_close(
        quality_focal_loss(s, target, use_sigmoid=False), expected,
        rtol=1e-4, atol=1e-5)


def test_distribution_focal_loss_is_the_gfl_formula_and_integral():
    from mmtrack_ext.models.losses import distribution_focal_loss, integral
    torch.manual_seed(0)
    logits = torch.randn(3, 17)
    target = torch.tensor([2.3, 0.0, 16.0])
    log_p = logits.log_softmax(-1)
    expected = torch.stack([
        -(0.7 * log_p[0, 2] + 0.3 * log_p[0, 3]),
        -log_p[1, 0],
        -log_p[2, 16],  # the last bin alone
    ])
    torch.testing.assert_close(distribution_focal_loss(logits, target),
                               expected)
    # the minimum puts (y_{i+1} - y, y - y_i) on the two bins around y, and
    # the integral of that distribution is y
    best = torch.full((1, 17), -1e4)
    best[0, 2], best[0, 3] = torch.log(torch.tensor(0.7)), torch.log(
        torch.tensor(0.3))
    assert integral(best).item() == pytest.approx(2.3, abs=1e-5)
    worse = best.clone()
    worse[0, 2], worse[0, 3] = worse[0, 3], worse[0, 2]
    assert (distribution_focal_loss(best, target[:1]) <
            distribution_focal_loss(worse, target[:1]))
