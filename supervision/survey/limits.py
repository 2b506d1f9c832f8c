"""The public questionnaire's device cookie and rate limits.

A device is a random token in a signed, HttpOnly, long-lived cookie; only a hash of it (with the survey's token)
is ever stored, in a `DeviceReceipt` that does not point at the response. Limits are counted in the cache, per
device token and per survey — never per address: thousands of phones share one carrier address.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache

COOKIE = "gq_survey_device"
COOKIE_SALT = "gongqing.survey.device"
COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers cap cookie lifetimes at 400 days

# (submissions, seconds): a device may retry a refused form a few times; a survey takes a school at a time.
DEVICE_LIMIT = (10, 600)
SURVEY_LIMIT = (600, 60)


def device_token(request) -> str | None:
    try:
        token = request.get_signed_cookie(COOKIE, default=None, salt=COOKIE_SALT)
    except signing.BadSignature:
        return None
    return token if token and len(token) >= 32 else None


def ensure_device_cookie(request, response) -> None:
    """Give a device its token on its first visit (kept for 400 days)."""
    if device_token(request) is None:
        response.set_signed_cookie(
            COOKIE,
            secrets.token_urlsafe(32),
            salt=COOKIE_SALT,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
            samesite="Lax",
        )


def _limits(name: str, default: tuple[int, int]) -> tuple[int, int]:
    return tuple(getattr(settings, name, default))


def _hit(key: str, limit: int, window: int) -> bool:
    """Count one hit in the current fixed window; True while within the limit."""
    bucket = f"survey:rate:{key}:{int(time.time() // window)}"
    cache.add(bucket, 0, timeout=window * 2)
    try:
        count = cache.incr(bucket)
    except ValueError:
        cache.set(bucket, 1, timeout=window * 2)
        count = 1
    return count <= limit


def allow_submission(*, survey_token: str, device: str | None) -> bool:
    """Count a submission against the survey and (when it has one) the device; False when either is over."""
    survey_ok = _hit(f"s:{survey_token}", *_limits("SURVEY_RATE_PER_SURVEY", SURVEY_LIMIT))
    if device is None:
        return survey_ok
    hashed = hashlib.sha256(f"{survey_token}:{device}".encode()).hexdigest()
    device_ok = _hit(f"d:{hashed}", *_limits("SURVEY_RATE_PER_DEVICE", DEVICE_LIMIT))
    return survey_ok and device_ok
