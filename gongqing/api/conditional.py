"""ETag and Last-Modified of result resources, from the evaluation state of the rounds they read."""

from __future__ import annotations

import hashlib

from django.utils.http import http_date, parse_http_date_safe, quote_etag


def result_validators(request, states) -> tuple[str, int | None]:
    """A strong ETag over (round, computed_version, computed_at) of every state read and the query; last change.
    `states`: a queryset of evaluation states, or their (round_id, computed_version, computed_at) rows in round
    order."""
    h = hashlib.sha256(request.get_full_path().encode())
    last = None
    if hasattr(states, "values_list"):
        states = states.order_by("round_id").values_list("round_id", "computed_version", "computed_at")
    for round_id, version, at in states:
        h.update(f"|{round_id}:{version}:{at.isoformat() if at else ''}".encode())
        if at is not None:
            stamp = int(at.timestamp())
            last = stamp if last is None or stamp > last else last
    return quote_etag(h.hexdigest()[:32]), last


def is_not_modified(request, etag: str, last_modified: int | None) -> bool:
    """If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        wanted = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return etag in wanted or "*" in wanted
    since = request.headers.get("If-Modified-Since")
    if since and last_modified is not None:
        parsed = parse_http_date_safe(since)
        return parsed is not None and last_modified <= parsed
    return False


def with_validators(response, etag: str, last_modified: int | None):
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "private, no-cache"
    return response
