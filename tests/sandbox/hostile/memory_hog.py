"""Allocate (and touch) memory until something stops us."""

hog = []
while True:
    hog.append(bytearray(16 << 20))
