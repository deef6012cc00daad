"""PyTorch on the CPU, as the speed a user would otherwise get: median seconds of matmul at the
benchmark sizes and of elementwise add / sum on 16M floats, printed as JSON. Run by
bench/index.ts with /usr/bin/python3 when PyTorch is installed (Debian: python3-torch)."""
import json
import sys
import time

import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)


def median_seconds(fn, runs=5):
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]


out = {"version": torch.__version__, "threads": torch.get_num_threads(), "matmul": {}}
for m, n, k in [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 512)]:
    a, b = torch.rand(m, k), torch.rand(k, n)
    out["matmul"][f"{m}x{n}x{k}"] = median_seconds(lambda: a @ b)
x, y = torch.rand(1 << 24), torch.rand(1 << 24)
out["add16M"] = median_seconds(lambda: x + y)
out["sum16M"] = median_seconds(lambda: x.sum())


# One training step (forward, backward, SGD with momentum) of the reference MNIST CNN at batch 64,
# the network of bench/cnn.ts.
def mnist_step():
    torch.manual_seed(0)
    nn = torch.nn
    net = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    images, labels = torch.rand(64, 1, 28, 28), torch.arange(64) % 10

    def step():
        loss = torch.nn.functional.cross_entropy(net(images), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return median_seconds(step, runs=9)


out["mnist_step64"] = mnist_step()
print(json.dumps(out))
