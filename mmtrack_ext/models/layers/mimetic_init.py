"""Mimetic initialisation of self-attention layers.

Trockman & Kolter, "Mimetic Initialization of Self-Attention Layers"
(ICML 2023): pretrained ViTs have ``W_q W_k^T`` close to a positive multiple
of the identity plus noise and ``W_v W_proj`` close to a negative multiple of
it. Initialising a randomly initialised attention layer that way (no data
needed) makes ``q . k`` a similarity of the two tokens from the first step.
For a tracker that encodes template and search tokens jointly this is
template matching from the start: a search token attends most to the template
tokens that look like it.
"""
import math

import torch
from torch import nn

__all__ = ['mimetic_init_', 'mimetic_factors']


def mimetic_factors(dim: int, rank: int, alpha: float, beta: float,
                    generator: torch.Generator = None):
    """Factors ``(A, B)`` of shape ``(rank, dim)`` with ``A^T B`` the best
    rank-``rank`` approximation of ``alpha * Z + beta * I``.

    ``Z`` has i.i.d. ``N(0, 1 / dim)`` entries. ``beta`` may be negative.
    """
    z = torch.randn(dim, dim, generator=generator) / math.sqrt(dim)
    target = alpha * z + beta * torch.eye(dim)
    u, s, vh = torch.linalg.svd(target)
    root = s[:rank].sqrt()
    return root[:, None] * u[:, :rank].T, root[:, None] * vh[:rank]


@torch.no_grad()
def mimetic_init_(attn: nn.Module,
                  qk: tuple = (0.7, 0.7),
                  vo: tuple = (0.4, 0.4),
                  generator: torch.Generator = None) -> nn.Module:
    """Initialise a timm-style attention module in place.

    ``attn`` needs ``qkv`` (``Linear(dim, 3 * dim)``, rows ordered q, k, v
    and heads within each) or ``q`` (``Linear(dim, dim)``) and ``kv``
    (``Linear(dim, 2 * dim)``, rows k then v), ``proj``
    (``Linear(dim, dim)``) and ``num_heads``. Afterwards, for every head ``h``,
    ``W_q^h^T W_k^h ~ qk[0] * Z + qk[1] * I`` (rank ``head_dim``) and
    ``W_proj W_v ~ vo[0] * Z' - vo[1] * I``; biases are zeroed.

    Args:
        attn: the attention module.
        qk: ``(alpha_1, beta_1)``, noise and identity weights of the
            query-key product (0.7, 0.7 in the paper).
        vo: ``(alpha_2, beta_2)``, noise and (negative) identity weights of
            the value-output product (0.4, 0.4 in the paper).
        generator: random generator (default: torch's global one).

    Returns:
        ``attn``.
    """
    if hasattr(attn, 'qkv'):
        weight = attn.qkv.weight
        linears = (attn.qkv, attn.proj)
    elif hasattr(attn, 'q') and hasattr(attn, 'kv'):
        # separate query and key/value projections (PVT / SBT); the rows are
        # views, so writing them writes the layers
        weight = torch.cat([attn.q.weight, attn.kv.weight])
        linears = (attn.q, attn.kv, attn.proj)
    else:
        raise ValueError('mimetic_init_ needs an attention module with qkv, '
                         'or q and kv, linear layers')
    dim = weight.shape[1]
    num_heads = attn.num_heads
    if weight.shape[0] != 3 * dim or dim % num_heads:
        raise ValueError(f'mimetic_init_ needs qkv of shape (3 * dim, dim) '
                         f'with dim divisible by num_heads; got '
                         f'{tuple(weight.shape)} and {num_heads} heads')
    head_dim = dim // num_heads
    if hasattr(attn, 'qkv'):
        q_rows, k_rows, v_rows = weight.split(dim)
    else:
        q_rows = attn.q.weight
        k_rows, v_rows = attn.kv.weight.split(dim)
    for h in range(num_heads):
        rows = slice(h * head_dim, (h + 1) * head_dim)
        a, b = mimetic_factors(dim, head_dim, *qk, generator=generator)
        q_rows[rows] = a.to(weight)
        k_rows[rows] = b.to(weight)
    alpha2, beta2 = vo
    a, b = mimetic_factors(dim, dim, alpha2, -beta2, generator=generator)
    # proj(v(x)) = proj.weight @ v_rows @ x = a^T b x
    attn.proj.weight.copy_(a.T.to(attn.proj.weight))
    v_rows.copy_(b.to(weight))
    for lin in linears:
        if lin.bias is not None:
            lin.bias.zero_()
    return attn
