"""Try to read the workspace's secrets by every path we can think of."""

import glob
import json
import os

secrets_dir = os.path.join(os.environ["WORKSPACE"], "var", "secrets")
found = {}
candidates = [os.path.join(secrets_dir, "token.enc"), "/proc/1/root" + secrets_dir + "/token.enc"]
candidates += glob.glob("/proc/*/root" + secrets_dir + "/*")
candidates += glob.glob("/proc/*/cwd/../../../var/secrets/*")
for path in candidates:
    try:
        with open(path) as handle:
            found[path] = handle.read()
    except OSError:
        pass
print(json.dumps({"read": found, "environ": sorted(os.environ)}))
