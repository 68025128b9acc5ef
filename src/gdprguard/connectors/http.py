"""The one HTTP layer every connector uses: session, timeouts, retries, rate budget, error mapping.

``requests`` stays inside this module: connectors get an :class:`ApiResponse` back, and every
``requests``/``urllib3`` failure or error status is translated here into the gdprguard exception
tree (``_exceptions.py``)::

    401 → AuthenticationError      403 → PermissionDeniedError     404 → NotFoundError
    400/409/415/422 (other 4xx) → FatalAPIError
    429 → RetriableAPIError (retry_after from Retry-After)
    5xx, connection reset, timeout, refused → RetriableAPIError
    DNS failure, TLS failure, non-JSON answer → FatalAPIError (retrying will not fix them)

Retries use exponential backoff with jitter on retriable errors and honour ``Retry-After`` on 429.
A :class:`RateBudget` reads the account-wide rate-limit headers of every answer and slows down
before the helpdesk has to say 429; :class:`~gdprguard.connectors.ratelimit.EndpointLimits` reads
the per-endpoint ones (Zendesk's ``zendesk-ratelimit-<name>``) and holds back only requests to an
endpoint family whose own allowance is used up. Every spelling Zendesk uses is read::

    account       ratelimit-limit, x-rate-limit; ratelimit-remaining, x-rate-limit-remaining;
                  ratelimit-reset, rate-limit-reset (Freshdesk: x-ratelimit-total, -remaining)
    per endpoint  zendesk-ratelimit-<name>, zendesk-rate-limit-<name>: total, remaining, resets
    429 and 503   retry-after (seconds)

Time comes from an injectable :class:`Clock`, so tests run 429 storms instantly.

Error messages name the method and path but never the query string (it can hold an email address)
nor the response's free-text description (it can echo submitted values).

Credentials only ever go to the configured origin. URLs the helpdesk hands back (``next_page``,
``Link``) are never resolved with ``urljoin``: their path and query are re-based onto the
configured origin by concatenation, and the final URL's scheme, host and port, as read by both
Python's and urllib3's URL parsers, must equal the configured ones (:meth:`HttpClient.url_for`).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import idna
import requests
from requests.auth import AuthBase
from requests.structures import CaseInsensitiveDict
from urllib3.util import parse_url

from .. import __version__
from .._config import is_loopback_host
from .._exceptions import (
    AuthenticationError,
    ConfigError,
    FatalAPIError,
    HelpdeskError,
    NotFoundError,
    PermissionDeniedError,
    RetriableAPIError,
)
from .._logging import install_log_hygiene
from .ratelimit import MAX_RESET_SECONDS, EndpointLimits

__all__ = [
    "ApiResponse",
    "Clock",
    "HttpClient",
    "HttpStats",
    "RateBudget",
    "RetryPolicy",
    "SystemClock",
]

log = logging.getLogger("gdprguard.connectors.http")
install_log_hygiene()  # urllib3 would log search queries (emails, phones) at DEBUG

DEFAULT_TIMEOUT = (10.0, 60.0)  # connect, read (seconds)
USER_AGENT = f"gdprguard/{__version__}"
_DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]
"""``(scheme, host, port)`` of a URL, lower-cased, with the scheme's default port filled in."""


def _origins(url: str) -> tuple[Origin, Origin]:
    """The origin of *url* as Python's ``urlsplit`` reads it and as urllib3 (``requests``) does.

    The two parsers disagree on some inputs (a backslash ends the host for urllib3, not for
    ``urlsplit``), so a URL is only trusted when both agree. Raises ValueError when unparsable.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if not host.isascii():  # compare internationalised names the way urllib3 sends them
        host = idna.encode(host, uts46=True).decode("ascii")  # IDNAError is a ValueError
    ours = (scheme, host.lower(), parts.port or _DEFAULT_PORTS.get(scheme, 0))
    parsed = parse_url(url)  # LocationParseError is a ValueError
    their_scheme = (parsed.scheme or "").lower()
    theirs = (
        their_scheme,
        (parsed.host or "").strip("[]").lower(),
        parsed.port or _DEFAULT_PORTS.get(their_scheme, 0),
    )
    return ours, theirs


def _is_absolute(path_or_url: str) -> bool:
    """Whether a helpdesk-provided value names its own origin (``http(s)://…`` or ``//host/…``)."""
    head = path_or_url[:8].lower()
    return head.startswith(("http://", "https://", "//"))


class Clock(Protocol):
    """Where the HTTP layer gets time and how it waits (inject a fake one in tests)."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait *seconds*."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry retriable failures."""

    max_attempts: int = 8
    """tries of a request failing with 5xx, timeouts or dropped connections"""
    max_throttled: int = 30
    """429 answers tolerated for one request (each waited out per Retry-After)"""
    backoff_base: float = 0.5
    backoff_max: float = 60.0
    max_retry_after: float = 900.0
    retry_on_connection_error: bool = True

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Delay before retry number *attempt* (1-based): exponential with equal jitter."""
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass
class RateBudget:
    """Proactive pacing from rate-limit headers.

    While the remaining allowance is above ``reserve`` (a fraction of the limit) calls go out at
    full speed. Below it, calls are spaced at the sustained rate the limit allows (``window /
    limit`` seconds, times the credits the last call cost), which never empties a token bucket and
    stretches a fixed window; at zero the client waits for the reset instead of collecting a 429.
    Zendesk sends ``ratelimit-remaining``/``ratelimit-reset`` (and ``x-rate-limit-remaining``;
    ``rate-limit-reset`` has been seen too); Freshdesk sends ``X-RateLimit-Remaining`` and
    ``X-RateLimit-Used-CurrentRequest`` but no reset, so a one-minute window is assumed (as it is
    for a reset that is not a plausible duration, see ``MAX_RESET_SECONDS``).
    """

    reserve: float = 0.1
    window: float = 60.0
    limit: int | None = None
    remaining: int | None = None
    resets_at: float | None = None
    cost: int = 1
    last_call: float | None = None

    def observe(self, headers: Mapping[str, str], now: float) -> None:
        """Remember the allowance the helpdesk just reported."""
        if not isinstance(headers, CaseInsensitiveDict):  # requests' headers already are
            headers = {k.lower(): v for k, v in headers.items()}
        limit = _int_header(headers, "ratelimit-limit", "x-rate-limit", "x-ratelimit-total")
        remaining = _int_header(
            headers, "ratelimit-remaining", "x-rate-limit-remaining", "x-ratelimit-remaining"
        )
        if remaining is None:
            return
        reset = _int_header(headers, "ratelimit-reset", "rate-limit-reset")
        if reset is not None and not 0 <= reset <= MAX_RESET_SECONDS:
            reset = None
        cost = _int_header(headers, "x-ratelimit-used-currentrequest")
        self.limit = limit if limit is not None else self.limit
        self.remaining = remaining
        self.resets_at = now + (reset if reset is not None else self.window)
        self.cost = max(1, cost) if cost is not None else 1

    def delay(self, now: float) -> float:
        """Seconds to wait before the next call (0 while the allowance is comfortable)."""
        if self.remaining is None or self.resets_at is None:
            return 0.0
        left = self.resets_at - now
        if left <= 0:
            self.remaining = None
            return 0.0
        threshold = max(1, int((self.limit or 0) * self.reserve))
        if self.remaining > threshold:
            return 0.0
        if self.remaining <= 0:
            return left
        if not self.limit:
            return left / (self.remaining + 1)
        interval = self.window / self.limit * self.cost
        since_last = now - self.last_call if self.last_call is not None else 0.0
        return max(0.0, min(left, interval - since_last))

    def spend(self, now: float) -> None:
        """Count one call (sent at *now*) until the next answer updates the allowance."""
        self.last_call = now
        if self.remaining is not None:
            self.remaining -= self.cost


def _int_header(headers: Mapping[str, str], *names: str) -> int | None:
    for name in names:
        value = headers.get(name)
        if value is None:
            continue
        try:
            return int(float(value.strip()))
        except ValueError:
            continue
    return None


@dataclass
class HttpStats:
    """Counters for benchmarks and progress output."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0
    paced_seconds: float = 0.0
    slept_seconds: float = 0.0
    by_status: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiResponse:
    """What a connector sees of an HTTP answer."""

    status: int
    headers: CaseInsensitiveDict[str]
    body: Any
    url: str
    links: dict[str, str]
    attempts: int = 1

    @property
    def retried(self) -> bool:
        """Whether the request had to be sent more than once (a write may already have applied)."""
        return self.attempts > 1


#: the largest attached file gdprguard downloads (Zendesk's own limit is 50 MB)
MAX_FILE_BYTES = 64 * 1024 * 1024


def _read_limited(response: requests.Response, max_bytes: int) -> bytes:
    """The body of a streamed file answer, refusing errors and oversized files."""
    try:
        if response.status_code == 404:
            raise NotFoundError("the file is gone (404)", status=404)
        if response.status_code >= 400:
            raise FatalAPIError(
                f"downloading a file failed ({response.status_code})", status=response.status_code
            )
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(1 << 16):
            size += len(chunk)
            if size > max_bytes:
                raise FatalAPIError(f"a file is larger than {max_bytes // (1 << 20)} MB; not read")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        response.close()


@contextmanager
def _translate_transport_errors(where: str, host: str) -> Iterator[None]:
    """Map requests/urllib3 exceptions to gdprguard's tree (the only place that knows them)."""
    try:
        yield
    except requests.exceptions.SSLError:
        raise FatalAPIError(
            f"TLS handshake with {host} failed during {where} (certificate not trusted, expired or "
            "for another name); check the URL, or the CA bundle (REQUESTS_CA_BUNDLE)"
        ) from None
    except (
        requests.exceptions.InvalidURL,
        requests.exceptions.MissingSchema,
        requests.exceptions.InvalidSchema,
    ) as exc:
        raise ConfigError(f"invalid helpdesk URL for {where}: {type(exc).__name__}") from None
    except requests.exceptions.Timeout:
        raise RetriableAPIError(f"{where}: {host} did not answer in time") from None
    except requests.exceptions.ConnectionError as exc:
        text = repr(exc)
        if any(
            s in text
            for s in (
                "NameResolutionError",
                "Name or service not known",
                "getaddrinfo failed",
                "nodename nor servname",
            )
        ):
            raise FatalAPIError(
                f"cannot resolve host {host} (DNS failure) during {where}; check the URL"
            ) from None
        if "Connection refused" in text or "ConnectionRefusedError" in text:
            raise RetriableAPIError(
                f"connection to {host} refused during {where}; is the URL and port right and the "
                "helpdesk up?"
            ) from None
        raise RetriableAPIError(f"connection to {host} failed during {where}") from None
    except requests.exceptions.RequestException as exc:
        raise RetriableAPIError(f"{where}: request failed ({type(exc).__name__})") from None


def _error_code(body: Any) -> str:
    """A short, value-free summary of an error body (error codes and field names only)."""
    if not isinstance(body, dict):
        return ""
    parts: list[str] = []
    for key in ("error", "code"):
        value = body.get(key)
        if isinstance(value, str) and len(value) <= 60:
            parts.append(value)
    errors = body.get("errors")
    if isinstance(errors, list):
        for item in errors[:5]:
            if isinstance(item, dict):
                parts.append(f"{item.get('field')}:{item.get('code')}")
    details = body.get("details")
    if isinstance(details, dict):
        parts.extend(f"{k}" for k in list(details)[:5])
    return ", ".join(p for p in parts if p)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _raise_for_status(status: int, body: Any, headers: Mapping[str, str], where: str) -> None:
    if status < 400:
        return
    try:
        _raise_status_error(status, body, headers, where)
    except HelpdeskError as exc:
        error = body.get("error") if isinstance(body, dict) else None
        exc.error_code = error if isinstance(error, str) else None
        raise


def _raise_status_error(status: int, body: Any, headers: Mapping[str, str], where: str) -> None:
    code = _error_code(body)
    detail = f" ({code})" if code else ""
    if status == 401:
        raise AuthenticationError(
            f"{where}: the helpdesk rejected the credentials (401{detail}); check the email and "
            "token in the connector configuration",
            status=status,
        )
    if status == 403:
        raise PermissionDeniedError(
            f"{where}: permission denied (403{detail}); the account needs admin rights",
            status=status,
        )
    if status == 404:
        raise NotFoundError(f"{where}: not found (404{detail})", status=status)
    if status == 429:
        raise RetriableAPIError(
            f"{where}: rate limited (429)", status=status, retry_after=_retry_after(headers)
        )
    if status >= 500:
        raise RetriableAPIError(
            f"{where}: helpdesk error ({status}{detail})",
            status=status,
            retry_after=_retry_after(headers),
        )
    raise FatalAPIError(f"{where}: request rejected ({status}{detail})", status=status)


class HttpClient:
    """A ``requests`` session bound to one helpdesk base URL, with retries and pacing."""

    def __init__(
        self,
        base_url: str,
        auth: AuthBase | None,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        budget: RateBudget | None = None,
        endpoint_limits: EndpointLimits | None = None,
        session: requests.Session | None = None,
        rng: random.Random | None = None,
    ) -> None:
        shape = (
            "helpdesk URL must look like https://acme.zendesk.com (or http://127.0.0.1:PORT "
            "for a local sandbox)"
        )
        try:
            parts = urlsplit(base_url)
            ours, theirs = _origins(base_url)
        except ValueError:
            raise ConfigError(f"{shape}; this one cannot be parsed") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(shape)
        if parts.username is not None or parts.password is not None:
            raise ConfigError(
                f"{shape}; remove the user:password@ part (credentials belong in the connector's "
                "email and token)"
            )
        if ours != theirs:
            raise ConfigError(
                f"{shape}; this one is read as two different hosts by different URL parsers "
                "(remove backslashes and other unusual characters from the host part)"
            )
        self.base_url = base_url.rstrip("/")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.host = parts.hostname or parts.netloc
        self._origin: Origin = ours
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.clock: Clock = clock or SystemClock()
        self.budget = budget or RateBudget()
        self.endpoint_limits = endpoint_limits or EndpointLimits()
        self.stats = HttpStats()
        self._rng = rng or random.Random()
        # Threads sharing this client (the webhook receiver's workers) take turns for a slot in
        # the allowance: each waits its own spacing after the one before, instead of all seeing
        # the same allowance and going out together into a 429.
        self._pace_lock = threading.Lock()
        self._session = session or requests.Session()
        self._session.auth = auth
        self._session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        if self._session.trust_env:
            self._freeze_environment()

    def _freeze_environment(self) -> None:
        """Read proxy, CA-bundle and netrc settings from the environment once, not per request.

        With ``trust_env`` requests re-reads them on every call (scanning all of ``os.environ``
        twice for proxies), the largest client-side cost of a request after the socket work.
        Every request of this client goes to ``self.origin``, so settings resolved once for it are
        the ones requests would resolve each time.
        """
        session = self._session
        origin = self.origin + "/"
        settings = session.merge_environment_settings(origin, {}, None, None, None)
        if not session.auth:
            session.auth = requests.utils.get_netrc_auth(origin)
        session.proxies = settings["proxies"]
        session.verify = settings["verify"]
        session.cert = settings["cert"]
        session.trust_env = False

    def close(self) -> None:
        """Release pooled connections."""
        self._session.close()

    def url_for(self, path_or_url: str) -> str:
        """An absolute URL on this helpdesk, for a path or a URL the helpdesk handed back.

        Absolute URLs (``next_page``, ``Link``) keep only their path and query, re-based onto the
        configured origin by concatenation (never ``urljoin``, which lets a path such as
        ``/http://other.example/x`` name another host); the result must pass
        :meth:`require_same_origin`, so credentials are never sent to another host.
        """
        if _is_absolute(path_or_url):
            try:
                parts = urlsplit(path_or_url)
            except ValueError:
                raise FatalAPIError(
                    "the helpdesk returned a next-page URL that cannot be parsed; refusing to "
                    "follow it"
                ) from None
            rest = parts.path + (f"?{parts.query}" if parts.query else "")
            url = f"{self.origin}/{rest.lstrip('/')}"
        else:
            url = f"{self.base_url}/{path_or_url.lstrip('/')}"
        self.require_same_origin(url)
        return url

    def require_same_origin(self, url: str) -> None:
        """Raise FatalAPIError unless *url*'s scheme, host and port are the configured ones.

        Both Python's and urllib3's URL parsers must agree, so parser differentials (backslashes,
        ``user@host``) cannot smuggle in another host. The message never shows the query string.
        """
        hint = (
            "the credentials must not leave it; a helpdesk-provided link pointed elsewhere "
            "(check the connector's url, or report the helpdesk's pagination links)"
        )
        try:
            seen = _origins(url)
        except ValueError:
            raise FatalAPIError(
                "refusing to send a request to a URL that cannot be parsed: it may not be the "
                f"configured helpdesk ({self._origin_label}), and {hint}"
            ) from None
        for scheme, host, port in seen:
            if (scheme, host, port) != self._origin:
                raise FatalAPIError(
                    f"refusing to send a request to {scheme}://{host}:{port}: it is not the "
                    f"configured helpdesk ({self._origin_label}), and {hint}"
                )

    @property
    def _origin_label(self) -> str:
        scheme, host, port = self._origin
        return f"{scheme}://{host}:{port}"

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
    ) -> ApiResponse:
        """Send one logical request (retried as the policy allows) and return its answer."""
        policy = retry or self.retry
        url = self.url_for(path_or_url)
        path = urlsplit(url).path
        where = f"{method} {path}"
        attempt = failures = throttles = 0
        while True:
            attempt += 1
            self._pace(method, path)
            try:
                response = self._send_once(method, url, params, json_body, data, headers, where)
                body = self._decode(response, where)
                _raise_for_status(response.status_code, body, response.headers, where)
            except RetriableAPIError as exc:
                exc.retried = attempt > 1
                if exc.status == 429:  # 429s have their own, larger budget: waiting them out works
                    self.stats.throttled += 1
                    throttles += 1
                    spent, allowed = throttles, policy.max_throttled
                else:
                    failures += 1
                    spent, allowed = failures, policy.max_attempts
                retriable = exc.status is not None or policy.retry_on_connection_error
                if not retriable or spent >= allowed:
                    raise
                delay = self._retry_delay(exc, spent, policy)
                self.stats.retries += 1
                log.debug("%s: retry %d in %.2fs (%s)", where, attempt, delay, exc)
                self._sleep(delay)
                continue
            except HelpdeskError as exc:
                exc.retried = attempt > 1
                raise
            links = {k: v.get("url", "") for k, v in response.links.items()}
            return ApiResponse(
                status=response.status_code,
                headers=response.headers,
                body=body,
                url=url,
                links=links,
                attempts=attempt,
            )

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> ApiResponse:
        """``GET`` shorthand."""
        return self.request("GET", path_or_url, params=params)

    def fetch_file(self, url: str, *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
        """The bytes of a file the helpdesk links to (an attachment's content URL).

        On the helpdesk's own origin the request carries the credentials; a redirect elsewhere
        (Zendesk sends files from a CDN, Freshdesk from signed storage URLs) is followed
        *without* them, over HTTPS only (plain HTTP only to this machine). Files larger than
        *max_bytes* are refused.
        """
        current = url
        for _hop in range(4):
            try:
                ours = _origins(current)[0] == self._origin
            except ValueError:
                raise FatalAPIError(
                    "refusing to download from a URL that cannot be parsed"
                ) from None
            if ours:
                target = self.url_for(current)
                self._pace("GET", urlsplit(target).path)
                self.stats.requests += 1
                with _translate_transport_errors("GET file", self.host):
                    response = self._session.get(
                        target, timeout=self.timeout, allow_redirects=False, stream=True
                    )
            else:
                scheme, host, _port = _origins(current)[0]
                if scheme != "https" and not is_loopback_host(host):
                    raise FatalAPIError(
                        "refusing to download a file over plain http from another host; the "
                        "helpdesk linked an insecure URL"
                    )
                with _translate_transport_errors("GET file", host):
                    response = requests.get(
                        current, timeout=self.timeout, allow_redirects=False, stream=True
                    )
            if response.is_redirect:
                location = response.headers.get("location", "")
                response.close()
                current = location if _is_absolute(location) else self.url_for(location)
                continue
            return _read_limited(response, max_bytes)
        raise FatalAPIError("too many redirects while downloading a file")

    # -- internals ---------------------------------------------------------------------------

    def _send_once(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        data: bytes | None,
        headers: Mapping[str, str] | None,
        where: str,
    ) -> requests.Response:
        self.stats.requests += 1
        path = urlsplit(url).path
        with _translate_transport_errors(where, self.host):
            response = self._session.request(
                method,
                url,
                params=params,
                json=json_body,
                data=data,
                headers=dict(headers) if headers else None,
                timeout=self.timeout,
                allow_redirects=False,
            )
            # Read the body inside the translation: a dropped connection can surface here.
            _ = response.content
        self.stats.by_status[response.status_code] = (
            self.stats.by_status.get(response.status_code, 0) + 1
        )
        now = self.clock.monotonic()
        self.budget.observe(response.headers, now)
        self.endpoint_limits.observe(method, path, response.headers, now)
        return response

    def _decode(self, response: requests.Response, where: str) -> Any:
        if not response.content:
            return None
        ctype = response.headers.get("content-type", "")
        if "json" not in ctype:
            if response.status_code >= 400:
                return None
            if 300 <= response.status_code < 400:
                raise FatalAPIError(
                    f"{where}: the server redirected ({response.status_code}); is the URL the "
                    "helpdesk's base URL (https://…, no path)?",
                    status=response.status_code,
                )
            raise FatalAPIError(
                f"{where}: the answer is not JSON ({ctype or 'no content type'}); is the URL the "
                "helpdesk's base URL?",
                status=response.status_code,
            )
        try:
            return response.json()
        except (ValueError, json.JSONDecodeError):
            if response.status_code >= 500:
                raise RetriableAPIError(
                    f"{where}: truncated or malformed JSON", status=response.status_code
                ) from None
            raise FatalAPIError(f"{where}: malformed JSON", status=response.status_code) from None

    def _retry_delay(self, exc: RetriableAPIError, attempt: int, policy: RetryPolicy) -> float:
        if exc.retry_after is not None:
            # Retry-After is authoritative; a little jitter stops parallel workers stampeding.
            return min(policy.max_retry_after, exc.retry_after) + self._rng.uniform(0, 0.25)
        return policy.backoff(attempt, self._rng)

    def _pace(self, method: str, path: str) -> None:
        """Wait for this call's turn in the allowance, then count it as spent."""
        with self._pace_lock:
            now = self.clock.monotonic()
            delay = max(self.budget.delay(now), self.endpoint_limits.delay(method, path, now))
            if delay > 0:
                self.stats.paced_seconds += delay
                self._sleep(delay)
            self.budget.spend(self.clock.monotonic())
            self.endpoint_limits.spend(method, path)

    def _sleep(self, seconds: float) -> None:
        self.stats.slept_seconds += seconds
        self.clock.sleep(seconds)
