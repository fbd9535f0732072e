# initlint says: IL007 (info) — PyTorch's default kaiming_uniform_(a=sqrt(5)) keeps 1/6 of the
# variance per ReLU layer; eight of them compound to about 6e-7.
import torch.nn as nn

deep = nn.Sequential(*[nn.Sequential(nn.Linear(256, 256), nn.ReLU()) for _ in range(8)])
