"""robots.txt: what a site allows us to fetch, and how slowly (RFC 9309, read with protego).

`RobotsCache` keeps one policy per site (scheme, host and port) for the life of a `Fetcher`. How a
robots.txt response becomes a policy follows RFC 9309 section 2.3.1:
- 2xx: the file's rules;
- 4xx (or a redirect loop, or an unusable body): no rules, everything allowed;
- 5xx or no answer at all: the site may be overloaded, so nothing is fetched from it this run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

__all__ = [
    "RobotsCache",
    "RobotsPolicy",
    "policy_from_response",
    "robots_agent",
    "robots_txt_url",
    "unreachable_policy",
]

# RFC 9309 asks crawlers to read at least 500 KiB of a robots.txt; more is not worth reading.
ROBOTS_MAX_BYTES = 512 * 1024


@dataclass(frozen=True)
class RobotsPolicy:
    """The rules of one site: protego's parse of its robots.txt, or a blanket decision."""

    parser: Protego | None = None
    allow_all: bool = True
    reason: str = ""
    sitemaps: tuple[str, ...] = field(default=())

    def allows(self, url: str, agent: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return float(delay) if delay is not None else None


def robots_txt_url(url: str) -> str:
    """The robots.txt that governs `url`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "/robots.txt", "", ""))


def robots_agent(user_agent: str) -> str:
    """The product token robots.txt groups match: "newsflow/0.1 (+...)" → "newsflow"."""
    token = user_agent.split("/", 1)[0].split(" ", 1)[0].strip()
    return token or "*"


def policy_from_response(status: int | None, content: bytes) -> RobotsPolicy:
    """The policy a robots.txt answer implies; `status` None means the site did not answer."""
    if status is None or status >= 500:
        why = "no answer" if status is None else f"HTTP {status}"
        return unreachable_policy(why)
    if not 200 <= status < 300:
        return RobotsPolicy(allow_all=True, reason=f"no robots.txt (HTTP {status})")
    text = content[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
    try:
        parser = Protego.parse(text)
    except Exception:  # noqa: BLE001 - protego has no error tree; an unreadable file sets no rules
        return RobotsPolicy(allow_all=True, reason="unreadable robots.txt")
    return RobotsPolicy(parser=parser, sitemaps=tuple(parser.sitemaps))


# Fetches one robots.txt URL and says what its answer (or the lack of one) allows.
RobotsFetch = Callable[[str], RobotsPolicy]


def unreachable_policy(why: str) -> RobotsPolicy:
    """The site did not answer for its robots.txt (`why`): fetch nothing from it this run."""
    return RobotsPolicy(allow_all=False, reason=f"robots.txt unreachable ({why})")


class RobotsCache:
    """One policy per site, fetched once even when many threads ask at the same time."""

    def __init__(self, fetch_robots: RobotsFetch) -> None:
        self._fetch_robots = fetch_robots
        self._policies: dict[str, RobotsPolicy] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def remember(self, url: str, status: int | None, content: bytes) -> None:
        """Keep a robots.txt fetched for another reason (a sitemap source), not to ask twice."""
        robots_url = robots_txt_url(url)
        with self._guard:
            self._policies.setdefault(robots_url, policy_from_response(status, content))

    def policy_for(self, url: str) -> RobotsPolicy:
        robots_url = robots_txt_url(url)
        with self._guard:
            lock = self._locks.setdefault(robots_url, threading.Lock())
        # Threads asking about the same site wait for the first one's fetch instead of repeating it.
        with lock:
            policy = self._policies.get(robots_url)
            if policy is None:
                policy = self._fetch_robots(robots_url)
                self._policies[robots_url] = policy
        return policy
