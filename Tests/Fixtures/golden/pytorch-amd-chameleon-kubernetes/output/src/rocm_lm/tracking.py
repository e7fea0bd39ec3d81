"""Is the MLflow tracking server there? Checked once, in seconds, before a run starts: MLflow itself
retries an unreachable server for minutes and then fails with a stack trace."""

from __future__ import annotations

import urllib.error
import urllib.request

TIMEOUT_S = 5


class Unreachable(Exception):
    """The tracking URI names an HTTP server that does not answer."""


def require_reachable(uri: str, timeout_s: float = TIMEOUT_S) -> None:
    """Raise Unreachable when `uri` is http(s) and its server does not answer within `timeout_s`.
    Any HTTP answer counts (an authenticating server answers 401); other URIs (sqlite, file) pass."""
    if not uri.startswith(("http://", "https://")):
        return
    try:
        with urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=timeout_s):
            return
    except urllib.error.HTTPError:
        return
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        hint = "start it with `make up` (the compose stack), or set MLFLOW_TRACKING_URI to a server that runs"
        raise Unreachable(f"the MLflow tracking server {uri} does not answer ({reason}); {hint}") from error
