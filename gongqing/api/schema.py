"""Schema post-processing: every operation documents the error answers it can give, with the one error shape."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": "English, stable: invalid, not_found, stale_version, …"},
                "message": {"type": "string", "description": "Chinese, for people"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "row": {"type": "integer"},
                            },
                        },
                    },
                },
                "current_version": {"type": "integer"},
                "status": {"type": "string"},
            },
        }
    },
}
DESCRIPTIONS = {
    "400": "invalid input (field errors in `fields`)",
    "401": "no session and no valid token",
    "403": "the role or the token's scope does not allow this",
    "404": "not found, or not visible to this user",
    "405": "method not allowed",
    "406": "only JSON is offered",
    "409": "conflict: stale version, closed round, or a return that cannot change",
    "412": "If-Match does not match the current version",
    "415": "the body must be JSON",
    "422": "Idempotency-Key reused for another request",
    "429": "too many requests: see Retry-After",
}
READ_CODES = ("400", "401", "403", "404", "405", "406", "429")
WRITE_CODES = (*READ_CODES, "409", "412", "415", "422")


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in WRITE_CODES if method in ("post", "patch", "put", "delete") else READ_CODES:
                answer = responses.setdefault(code, {"description": DESCRIPTIONS[code]})
                answer.setdefault("content", content)
    return result
