"""Throttles of the API: DRF's own per user and per anonymous client (rates in settings), and
one on failed token authentication, which DRF never reaches (authentication fails first).

Every throttle answers 429 with Retry-After, from DRF. The counts live in the default
cache, which is shared by the server's processes in production (settings.CACHES).
"""

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.throttling import SimpleRateThrottle


class ByAddressThrottle(SimpleRateThrottle):
    """A rate per client address (as DRF reads it: REMOTE_ADDR, or X-Forwarded-For behind
    NUM_PROXIES trusted proxies), signed in or not; the subclass names the scope."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class FailedAuthenticationThrottle(ByAddressThrottle):
    """Bad credentials per client address, at the `failed_auth` rate. Unlike DRF's
    throttles it counts only failures, and is asked before a token is looked up."""

    scope = "failed_auth"

    def _load(self, request) -> None:
        self.key = self.get_cache_key(request, None)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()

    def refuse_if_over(self, request) -> None:
        self._load(request)
        if len(self.history) >= self.num_requests:
            raise Throttled(wait=self.wait())

    def record_failure(self, request) -> None:
        self._load(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


class ThrottledTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, after which too many bad tokens from one client are a 429
    (before any further lookup), not an endless stream of cheap 401s."""

    def authenticate(self, request):
        if not request.META.get("HTTP_AUTHORIZATION"):
            return None
        throttle = FailedAuthenticationThrottle()
        throttle.refuse_if_over(request)
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            throttle.record_failure(request)
            raise
