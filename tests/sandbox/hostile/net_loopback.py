"""Try to reach a server the host runs on its loopback (port in HOST_PORT)."""

import json
import os
import socket

port = int(os.environ["HOST_PORT"])
try:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
        conn.sendall(b"escaped")
    print(json.dumps({"connected": True}))
except OSError as exc:
    print(json.dumps({"connected": False, "error": str(exc)}))
