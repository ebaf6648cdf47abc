# Table 1, attention: vanilla global attention (VG) instead of
# spatial-reduction global attention (SRG): reduction ratio 1 in every
# stage (keys and values at full resolution, no reduction conv).
_base_ = ['../sbt-base_got10k.py']

model = dict(backbone=dict(sr_ratios=(1, 1, 1)))
