"""HTTP plumbing below the app."""

import io

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from rest_framework.throttling import BaseThrottle

from annotations.api.throttling import ByAddressThrottle


class ChunkedRequestBodyMiddleware:
    """Read a request body sent chunked (no Content-Length), which Django reads as empty.

    Servers that decode chunked bodies say so with `wsgi.input_terminated` (gunicorn does):
    their input stream ends where the body ends. The body is read up to Django's own size
    limit; past it the request is refused with a 413, as Django refuses a declared length.
    A server that cannot say where the body ends gets a 411. Behind nginx (make serve) every
    body arrives with its length already.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        if "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower() and not meta.get("CONTENT_LENGTH"):
            if not meta.get("wsgi.input_terminated"):
                return JsonResponse({"detail": "Send the body with a Content-Length."}, status=411)
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            body = meta["wsgi.input"].read(-1 if limit is None else limit + 1)
            if limit is not None and len(body) > limit:
                return JsonResponse({"detail": f"The request body is larger than {limit:,} bytes."}, status=413)
            meta["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))
        return self.get_response(request)


def client_ip(request) -> str:
    """The client's address as DRF's throttles read it: REMOTE_ADDR, or with NUM_PROXIES
    trusted proxies in front (nginx under make serve), the address they put in
    X-Forwarded-For. django-axes reads it through here too."""
    return BaseThrottle().get_ident(request)


class LoginThrottleMiddleware:
    """Sign-in attempts (POSTs to the desk's login page) per client address, at the `login`
    rate of REST_FRAMEWORK's throttle rates: a flood is answered 429 before any password is
    hashed, so it cannot starve the other requests of CPU. django-axes locks out a username
    from an address after repeated failures on top of this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and _view_name(request) == "admin:login":
            throttle = LoginThrottle()
            if not throttle.allow_request(request, None):
                wait = throttle.wait()
                response = HttpResponse(
                    "Too many sign-in attempts from your address; try again in a minute.",
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(max(1, int(wait or 60)))
                return response
        return self.get_response(request)


def _view_name(request) -> str | None:
    """The view a request's path leads to, whatever prefix the app is served under."""
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


class LoginThrottle(ByAddressThrottle):
    scope = "login"
