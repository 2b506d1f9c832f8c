"""The bureau's records edited through their forms: construction projects, external reviews and their findings."""

from __future__ import annotations

from gongqing.saving import form_save

from ..models import Finding, Project, Review


def project_save(*, form, by, request=None) -> Project:
    return form_save(form, action="supervision.project_save", by=by, request=request)


def review_save(*, form, by, request=None) -> Review:
    return form_save(form, action="supervision.review_save", by=by, request=request)


def finding_save(*, form, review: Review, by, request=None) -> Finding:
    return form_save(form, action="supervision.finding_save", by=by, request=request, review=review)
