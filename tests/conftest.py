import os

# nothing may reach a model hub during tests
os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('TIMM_OFFLINE', '1')
