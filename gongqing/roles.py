"""The fixed roles of the portal, and every group of them, named once.

A view names who may use it with one of these groups (`roles_required(BUREAU)`), an API view with an `API_*` group,
an access module tests `user.role in GROUP`. No other module spells a group out or names a role by its string:
`tests/test_access_rule.py` fails when one does. A user's scope (township, body) is a membership row elsewhere, read
only by the access modules (`schools/access.py`, `indicators/access.py`, `supervision/access.py`,
`supervision/reports/access.py`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", _("教体局管理员")
    BUREAU_STAFF = "bureau_staff", _("教体局工作人员")
    TOWNSHIP_OFFICIAL = "township_official", _("乡镇（街道）填报员")
    DEPARTMENT_OFFICER = "department_officer", _("部门联络员")
    LEADERSHIP = "leadership", _("领导小组成员")
    AUDITOR = "auditor", _("审计员")
    API_CLIENT = "api_client", _("接口客户端")


def _group(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


# Who signs in at all.
EVERYONE = frozenset(Role)
"""Every account, the API client included: password change, second factor."""
MACHINES = _group(Role.API_CLIENT)
"""The municipal system's client: reads by token, writes returns with a write-scoped token."""
PEOPLE = EVERYONE - MACHINES
"""Every portal user: the home page, notices, help."""

# The education bureau.
ADMINS = _group(Role.BUREAU_ADMIN)
"""The bureau's administrators: users, standards, settings, the recycle bin."""
BUREAU = ADMINS | _group(Role.BUREAU_STAFF)
"""Bureau admin and staff: every school, return, round, measure and item; reviews, renders, manages."""
AUDIT_READERS = ADMINS | _group(Role.AUDITOR)
"""Who reads the audit log."""

# Readers, from the narrowest circle to the widest.
OVERSEERS = BUREAU | _group(Role.LEADERSHIP)
"""The county's overseers: every measure and item, the reports, the survey, the bodies' board."""
RESULT_READERS = OVERSEERS | _group(Role.DEPARTMENT_OFFICER)
"""Who reads the stored evaluation results and the dashboards: the whole county, no township scope."""
PARTICIPANTS = RESULT_READERS | _group(Role.TOWNSHIP_OFFICIAL)
"""Every person who takes part in the plan (all but the auditor): school pages and supervision pages, each scoped by
the app's access module (an official sees their township, an officer their body)."""
DATA_ENTRY = BUREAU | _group(Role.TOWNSHIP_OFFICIAL)
"""Who enters a school's figures: the bureau for every school, an official for their township's."""
WHOLE_COUNTY = RESULT_READERS | MACHINES
"""Who reads every school of the county without a township scope (`User.reads_whole_county`)."""
COUNTY_OVERSIGHT = OVERSEERS | MACHINES
"""Who reads every measure, item, project, body and report without a body's scope: the overseers, and the municipal
system's client through the API."""
BINDER_READERS = OVERSEERS | _group(Role.TOWNSHIP_OFFICIAL)
"""Who builds and downloads an evidence binder (档案): the overseers the county's, a township official one of their own
schools' files only (supervision/binder/access.py)."""

# The API (`read_roles` / `write_roles` of the API views; the token's scopes are checked on top).
API_READERS = PARTICIPANTS | MACHINES
"""Schools, returns and supervision records by API, each scoped as on the pages."""
API_RESULT_READERS = WHOLE_COUNTY
"""Stored results by API."""
API_RETURN_WRITERS = DATA_ENTRY | MACHINES
"""Return writes by API."""
