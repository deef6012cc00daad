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
print(json.dumps(out))
