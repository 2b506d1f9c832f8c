"""The fixed roles of the portal. A user's scope (township, department) is a membership row elsewhere."""

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


BUREAU_ROLES = frozenset({Role.BUREAU_ADMIN, Role.BUREAU_STAFF})
# Roles that may read every school of the county (but not necessarily change anything).
COUNTY_READERS = frozenset(
    {Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.LEADERSHIP, Role.DEPARTMENT_OFFICER, Role.API_CLIENT}
)
