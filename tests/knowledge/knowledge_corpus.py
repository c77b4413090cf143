"""A small labelled corpus for retrieval quality: 40 pages, 10 queries with expected top-3 pages.

Half of the queries share words with their pages (full text finds them); the other half are
paraphrases ("hangs forever" for a timeout page), where vectors have to help.
"""

from __future__ import annotations

import json

# (id, kind, title, body)
PAGES: list[tuple[str, str, str, str]] = [
    (
        "httpx-proxies",
        "failure",
        "httpx 0.28 removed the proxies argument",
        "Passing proxies= to httpx.Client raises TypeError: unexpected keyword argument since "
        "0.28. Configure a proxy with proxy= or with mounts of transports.",
    ),
    (
        "httpx-timeout",
        "dependency",
        "httpx applies a default timeout of five seconds",
        "Every httpx request times out after 5 seconds unless timeout= is set. Long downloads "
        "raise ReadTimeout; pass httpx.Timeout(60.0) for slow servers.",
    ),
    (
        "requests-retry",
        "intervention",
        "Retry failed HTTP calls with urllib3 Retry and backoff",
        "Mount an HTTPAdapter with Retry(total=5, backoff_factor=0.5, status_forcelist=[502, "
        "503]) on the requests Session to retry transient server errors.",
    ),
    (
        "sqlite-wal",
        "claim",
        "SQLite WAL mode lets readers run during a write",
        "With journal_mode=WAL, readers do not block the single writer and the writer does not "
        "block readers; checkpoints move pages back into the main file.",
    ),
    (
        "sqlite-busy",
        "failure",
        "database is locked errors under concurrent writers",
        "sqlite3.OperationalError: database is locked appears when a second writer waits longer "
        "than the busy timeout. Set PRAGMA busy_timeout and keep write transactions short.",
    ),
    (
        "pg-pool",
        "failure",
        "PostgreSQL connection pool exhausted under load",
        "QueuePool limit of size 5 overflow 10 reached: connections were not returned because "
        "sessions were never closed. Close sessions in finally blocks.",
    ),
    (
        "alembic-heads",
        "intervention",
        "Alembic with several heads: upgrade to heads",
        "When branches add migrations in parallel, alembic upgrade head fails with multiple "
        "heads. Run alembic upgrade heads or add a merge revision.",
    ),
    (
        "pydantic-validators",
        "dependency",
        "pydantic v2 renamed validator to field_validator",
        "The @validator decorator is deprecated in pydantic 2; use @field_validator with "
        "@classmethod, and model_validator for checks across fields.",
    ),
    (
        "pydantic-config",
        "dependency",
        "pydantic v2 model_config replaces class Config",
        "Inner class Config is replaced by model_config = ConfigDict(...); orm_mode became "
        "from_attributes and allow_mutation became frozen.",
    ),
    (
        "numpy-seed",
        "policy",
        "Use numpy Generator default_rng with an explicit seed",
        "Create rng = np.random.default_rng(seed) per experiment instead of the global "
        "np.random.seed so results repeat exactly from run to run.",
    ),
    (
        "torch-determinism",
        "policy",
        "PyTorch deterministic algorithms for repeatable training",
        "Call torch.manual_seed, torch.use_deterministic_algorithms(True) and disable "
        "cudnn.benchmark so two training runs give identical weights.",
    ),
    (
        "pandas-copy-warning",
        "failure",
        "pandas SettingWithCopyWarning on chained assignment",
        "df[df.a > 0]['b'] = 1 may write to a temporary copy. Assign with df.loc[df.a > 0, 'b'] "
        "= 1 instead.",
    ),
    (
        "pandas-append-removed",
        "dependency",
        "DataFrame.append was removed in pandas 2.0",
        "AttributeError: 'DataFrame' object has no attribute 'append'. Collect the new records "
        "in a list and call pd.concat once.",
    ),
    (
        "asyncio-blocking",
        "failure",
        "Blocking calls inside async def stall the event loop",
        "time.sleep or a synchronous HTTP call inside a coroutine stops every other task. Use "
        "await asyncio.sleep and async clients, or run_in_executor for blocking work.",
    ),
    (
        "asyncio-gather",
        "failure",
        "asyncio.gather with return_exceptions hides failures",
        "With return_exceptions=True the exceptions come back as results; check each result "
        "with isinstance(result, BaseException) or failures pass silently.",
    ),
    (
        "git-lfs",
        "policy",
        "Large binary files belong in git LFS",
        "Model checkpoints and datasets bloat the repository history forever; track them with "
        "git lfs track '*.pt' before the first commit.",
    ),
    (
        "docker-cache",
        "intervention",
        "Order Dockerfile steps to reuse the layer cache",
        "Copy requirements.txt and install dependencies before copying the source tree so a "
        "code change does not reinstall every package.",
    ),
    (
        "bwrap-network",
        "claim",
        "bubblewrap --unshare-net leaves the sandbox without network",
        "Inside bwrap --unshare-all only a loopback interface exists; connections to outside "
        "hosts fail with network unreachable.",
    ),
    (
        "rlimit-root",
        "failure",
        "RLIMIT_NPROC is ignored when running as root",
        "setrlimit(RLIMIT_NPROC) does not limit processes of uid 0, so a fork bomb in a root "
        "sandbox is not stopped; use a cgroup pids limit.",
    ),
    (
        "logging-secrets",
        "policy",
        "Redact API keys from every log record",
        "Install a logging filter that replaces key-shaped strings and bearer tokens with "
        "[REDACTED], including exception text.",
    ),
    (
        "yaml-safe-load",
        "failure",
        "yaml.load without SafeLoader constructs arbitrary objects",
        "yaml.load(text, Loader=yaml.Loader) can instantiate Python objects from tags; always "
        "use yaml.safe_load for files from outside.",
    ),
    (
        "json-nan",
        "failure",
        "json.dumps writes NaN, which is not valid JSON",
        "Python's json module emits NaN and Infinity by default; other parsers reject them. "
        "Pass allow_nan=False or replace the values with null.",
    ),
    (
        "datetime-utc",
        "dependency",
        "datetime.utcnow returns naive datetimes",
        "utcnow is deprecated in Python 3.12; use datetime.now(UTC) to get an aware timestamp "
        "that compares correctly with other aware values.",
    ),
    (
        "tz-dst",
        "failure",
        "Daily jobs shift by an hour across daylight saving changes",
        "Scheduling with local wall-clock times skips or repeats runs when clocks change; store "
        "schedules in UTC and convert with zoneinfo.",
    ),
    (
        "unicode-nfc",
        "intervention",
        "Normalise unicode to NFC before comparing strings",
        "The same accented letter can be one code point or two; unicodedata.normalize('NFC', s) "
        "makes equal-looking names compare equal.",
    ),
    (
        "regex-backtracking",
        "failure",
        "Catastrophic backtracking with nested quantifiers",
        "Patterns like (a+)+$ take exponential time on near-matching input and freeze the "
        "process; rewrite them without nested repetition.",
    ),
    (
        "pickle-untrusted",
        "policy",
        "Never unpickle data from an untrusted source",
        "pickle.load runs code chosen by whoever wrote the file; exchange data as JSON or "
        "safetensors instead.",
    ),
    (
        "subprocess-shell",
        "failure",
        "shell=True with user input allows command injection",
        "subprocess.run(f'convert {name}', shell=True) executes anything in name; pass a list "
        "of arguments and keep shell=False.",
    ),
    (
        "path-traversal",
        "intervention",
        "Reject '..' and absolute paths in user-supplied names",
        "Resolve the joined path and check it stays under the base directory, so "
        "'../../etc/passwd' cannot escape the upload folder.",
    ),
    (
        "csv-formula",
        "failure",
        "CSV cells starting with = run as spreadsheet formulas",
        "Exported cells beginning with =, +, - or @ are evaluated by Excel; prefix them with a "
        "quote character when writing untrusted values.",
    ),
    (
        "npm-lockfile",
        "policy",
        "Commit package-lock.json for reproducible installs",
        "npm ci installs exactly the versions in the lockfile; without it every install may "
        "resolve newer transitive packages.",
    ),
    (
        "axios-cancel",
        "dependency",
        "axios CancelToken is deprecated in favour of AbortController",
        "Since axios 0.22 pass signal: controller.signal and call controller.abort(); "
        "CancelToken will be removed.",
    ),
    (
        "react-effect-deps",
        "failure",
        "Missing useEffect dependencies cause stale closures",
        "An effect that reads props without listing them in the dependency array keeps the "
        "first values forever; enable the exhaustive-deps lint rule.",
    ),
    (
        "node-esm",
        "failure",
        "require() of ES Module is not supported",
        "Packages that ship only ESM cannot be loaded with require in CommonJS; use dynamic "
        "import() or switch the project to type: module.",
    ),
    (
        "pytest-scope",
        "failure",
        "Session-scoped fixtures leak state between tests",
        "A mutable object returned by a session fixture is shared by every test; one test's "
        "change breaks another. Return fresh copies or use function scope.",
    ),
    (
        "pytest-clock",
        "failure",
        "Tests that read the wall clock are flaky",
        "Assertions on time.time() or datetime.now() fail near midnight or on slow machines; "
        "inject a clock or freeze time in the test.",
    ),
    (
        "float-compare",
        "policy",
        "Compare floats with a tolerance, never with ==",
        "0.1 + 0.2 == 0.3 is False; use math.isclose or numpy.allclose with explicit relative "
        "and absolute tolerances.",
    ),
    (
        "sklearn-leakage",
        "failure",
        "Fitting the scaler on all data leaks test information",
        "StandardScaler fitted before the train/test split sees the held-out rows; put the "
        "scaler in a Pipeline so it is fitted on training folds only.",
    ),
    (
        "early-stopping",
        "failure",
        "Early stopping on the test set inflates reported accuracy",
        "Choosing the epoch by test accuracy makes the test set part of training; hold out a "
        "separate validation split for early stopping.",
    ),
    (
        "matplotlib-agg",
        "intervention",
        "matplotlib needs the Agg backend on headless servers",
        "Without a display, plotting raises TclError: no display name; call "
        "matplotlib.use('Agg') before importing pyplot, or set MPLBACKEND=Agg.",
    ),
]

# (query, ids of which one must appear in the top 3): five share words with their pages, five
# are paraphrases (BM25 misses "charts break over ssh with no screen" -> matplotlib-agg).
QUERIES: list[tuple[str, set[str]]] = [
    ("TypeError unexpected keyword proxies when creating the http client", {"httpx-proxies"}),
    ("database is locked", {"sqlite-busy"}),
    ("add a row to a dataframe no longer works", {"pandas-append-removed"}),
    (
        "model evaluation too optimistic because preprocessing saw held-out data",
        {"sklearn-leakage", "early-stopping"},
    ),
    ("coroutine freezes all other tasks", {"asyncio-blocking"}),
    ("charts break over ssh with no screen", {"matplotlib-agg"}),
    ("huge model weights make the repo slow to clone", {"git-lfs"}),
    ("too many open connections to the database server", {"pg-pool"}),
    ("sandboxed process cannot reach the internet", {"bwrap-network"}),
    (
        "get the same random numbers every time I run the experiment",
        {"numpy-seed", "torch-determinism"},
    ),
]


def page_text(page_id: str, kind: str, title: str, body: str, **extra: str) -> str:
    head = [f"id: {page_id}", f"kind: {kind}", f"title: {json.dumps(title)}"]
    head += [f"{key}: {value}" for key, value in extra.items()]
    return "---\n" + "\n".join(head) + "\n---\n\n" + body + "\n"
