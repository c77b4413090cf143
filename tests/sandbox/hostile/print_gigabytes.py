"""Print without end."""

import sys

line = ("y" * 1023 + "\n").encode()
block = line * 1024
while True:
    sys.stdout.buffer.write(block)
