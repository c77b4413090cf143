"""Fetching issues live from the GitHub search API (``researchos issues ingest --live``).

The response goes through exactly the same checks as a file (``issues.parse_issues``). The
token is sent only in the Authorization header and never logged or stored.
"""

from __future__ import annotations

import httpx

from researchos.errors import ConfigError, ProviderError
from researchos.knowledge.issues import MAX_FILE_BYTES, check_repo
from researchos.logs import register_secret


def fetch_issues(
    *,
    repo: str,
    query: str,
    token: str | None,
    api_url: str,
    timeout: float = 30.0,
    transport: httpx.BaseTransport | None = None,
) -> bytes:
    """The raw search-API response for issues of ``repo`` matching ``query``."""
    owner, name = check_repo(repo)
    if not token:
        raise ConfigError(
            "--live needs a GitHub token",
            fix="set RESEARCHOS_GITHUB_TOKEN (or GITHUB_TOKEN), or ingest a saved file with "
            "--input-json",
        )
    register_secret(token)
    params = {"q": f"repo:{owner}/{name} is:issue {query}".strip(), "per_page": "100"}
    headers = {
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {token}",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    try:
        with httpx.Client(timeout=timeout, transport=transport) as client:
            response = client.get(
                f"{api_url.rstrip('/')}/search/issues", params=params, headers=headers
            )
    except httpx.HTTPError as exc:
        raise ProviderError(f"GitHub is unreachable: {exc}", category="network_error") from None
    if response.status_code in (401, 403):  # the setting is wrong (or rate-limited)
        raise ConfigError(
            f"GitHub refused the request ({response.status_code})",
            fix="check RESEARCHOS_GITHUB_TOKEN and its rate limit",
        )
    if response.status_code != 200:
        raise ProviderError(f"GitHub answered {response.status_code}", category="provider_error")
    if len(response.content) > MAX_FILE_BYTES:
        raise ProviderError("GitHub's answer is too large", category="provider_error")
    return response.content
