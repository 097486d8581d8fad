"""A fixed-window rate limiter on Django's cache for the public self-report pages."""

from django.conf import settings
from django.core.cache import cache

# (requests, seconds). Software defaults, not clinical values; a deployment may override them
# with MEASURE_SELF_REPORT_RATE_PER_IP and MEASURE_SELF_REPORT_SUBMITS_PER_LINK.
DEFAULT_RATE_PER_IP = (60, 600)
DEFAULT_SUBMITS_PER_LINK = (10, 3600)


def _allow(key: str, limit: int, window: int) -> bool:
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= limit


def allow_ip(ip: str | None) -> bool:
    limit, window = getattr(settings, "MEASURE_SELF_REPORT_RATE_PER_IP", DEFAULT_RATE_PER_IP)
    return _allow(f"measures:rl:ip:{ip or 'unknown'}", limit, window)


def allow_submit(token_hash: str) -> bool:
    limit, window = getattr(
        settings, "MEASURE_SELF_REPORT_SUBMITS_PER_LINK", DEFAULT_SUBMITS_PER_LINK
    )
    return _allow(f"measures:rl:link:{token_hash}", limit, window)
