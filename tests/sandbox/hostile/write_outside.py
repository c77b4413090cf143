"""Try to write everywhere but the work dir; report which writes the kernel allowed."""

import json
import os

targets = [
    os.path.join(os.environ["HOST_DIR"], "escaped.txt"),
    os.path.join(os.environ["WORKSPACE"], "escaped.txt"),
    os.path.join(os.environ["WORKSPACE"], "var", "escaped.txt"),
    "/etc/escaped.txt",
    "/usr/escaped.txt",
    "/escaped.txt",
    "../escaped.txt",
    "../../escaped.txt",
    "/tmp/" + os.environ["MARKER"],
]
allowed = []
for target in targets:
    try:
        with open(target, "w") as handle:
            handle.write("escaped")
        allowed.append(os.path.abspath(target))
    except OSError:
        pass
print(json.dumps({"allowed": allowed}))
