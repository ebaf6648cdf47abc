"""Weight initialisation shared by the transformer backbones."""
from timm.layers import trunc_normal_
from torch import nn

__all__ = ['transformer_init_']


def transformer_init_(m: nn.Module) -> None:
    """ViT / PVT initialisation of one module (use with ``Module.apply``):
    linear weights truncated-normal (std 0.02) with zero bias, LayerNorms
    weight 1 and bias 0; other modules are left alone."""
    if isinstance(m, nn.Linear):
        trunc_normal_(m.weight, std=.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.LayerNorm):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)
