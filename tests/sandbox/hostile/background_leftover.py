"""Leave daemons behind: a setsid child, a double fork, a nohup'd shell loop."""

import os
import subprocess
import sys

marker = os.environ["MARKER"]
subprocess.Popen(["sleep", "300", marker], start_new_session=True)
subprocess.Popen(["sh", "-c", f"nohup sh -c 'while :; do sleep 1; done; echo {marker}' &"])
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "301", marker])
    os._exit(0)
print("left daemons behind", flush=True)
sys.exit(0)
