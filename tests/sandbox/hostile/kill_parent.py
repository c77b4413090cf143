"""Try to kill our parent, init and everyone else we can see."""

import json
import os
import signal

attempts = {}
for label, pid in (("parent", os.getppid()), ("init", 1), ("everyone", -1)):
    try:
        os.kill(pid, signal.SIGKILL)
        attempts[label] = "sent"
    except OSError as exc:
        attempts[label] = f"refused: {exc}"
print(json.dumps(attempts), flush=True)
