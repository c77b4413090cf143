"""Write one file without end."""

chunk = b"x" * (1 << 20)
with open("big.bin", "wb") as handle:
    while True:
        handle.write(chunk)
        handle.flush()
