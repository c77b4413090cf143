"""Fill the disk with many files, each under the per-file limit."""

import os

chunk = os.urandom(1 << 20)
index = 0
while True:
    with open(f"fill-{index:06d}.bin", "wb") as handle:
        handle.write(chunk)
    index += 1
