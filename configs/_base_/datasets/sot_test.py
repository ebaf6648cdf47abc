# Test loader skeleton shared by the test_*.py bases: one video frame at a
# time, videos given whole to one process (VideoSampler).
test_pipeline = [dict(type='LoadFrames'), dict(type='PackSOTInputs')]
test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='VideoSampler'),
    dataset=dict(test_mode=True, pipeline=test_pipeline))
