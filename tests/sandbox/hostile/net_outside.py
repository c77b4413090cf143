"""Try to reach addresses outside the machine by IP (no DNS needed)."""

import json
import socket

results = {}
for host, port in (("1.1.1.1", 443), ("8.8.8.8", 53), ("151.101.0.223", 443)):
    try:
        with socket.create_connection((host, port), timeout=2):
            results[host] = "connected"
    except OSError as exc:
        results[host] = f"blocked: {exc}"
print(json.dumps(results))
