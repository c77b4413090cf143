"""Try to resolve names (needs a resolver, which needs a network)."""

import json
import socket

results = {}
for name in ("pypi.org", "example.com", "localhost"):
    try:
        results[name] = sorted({info[4][0] for info in socket.getaddrinfo(name, 443)})
    except OSError as exc:
        results[name] = f"failed: {exc}"
print(json.dumps(results))
