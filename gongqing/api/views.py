"""Portal pages of the API: token administration for bureau admins, and the offline documentation page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from gongqing.decorators import roles_required
from gongqing.models import ApiToken, User
from gongqing.roles import ADMINS, Role

from .auth import DEFAULT_DAYS, token_create, token_revoke
from .exceptions import GENERIC_MESSAGES, error_body
from .permissions import LoggedInOrToken

SCOPE_LABELS = {
    "read": gettext_lazy("读取（read）"),
    "returns:write": gettext_lazy("填报写入（returns:write）"),
    "reports:write": gettext_lazy("报告生成（reports:write）"),
}


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=80)
    user = forms.ModelChoiceField(
        label=gettext_lazy("所属账号"),
        queryset=User.objects.filter(is_active=True).order_by("role", "username"),
        help_text=gettext_lazy("通常为“接口客户端”角色的账号；令牌只能看到该账号在网页上能看到的数据。"),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("权限范围"),
        choices=list(SCOPE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        initial=["read"],
    )
    days = forms.IntegerField(label=gettext_lazy("有效天数"), min_value=1, max_value=730, initial=DEFAULT_DAYS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        api_clients = self.fields["user"].queryset.filter(role=Role.API_CLIENT)
        first = api_clients.first()
        if first is not None:
            self.fields["user"].initial = first.pk


@roles_required(ADMINS)
def token_list(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token, raw = token_create(
            user=data["user"],
            name=data["name"],
            scopes=data["scopes"],
            days=data["days"],
            by=request.user,
            request=request,
        )
        # Shown in this answer only: never stored, never redirected through the session.
        return render(request, "api/token_created.html", {"token": token, "raw": raw})
    tokens = ApiToken.objects.select_related("user", "created_by")
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens, "now": timezone.now()})


@require_POST
@roles_required(ADMINS)
def token_revoke_view(request, pk):
    token = get_object_or_404(ApiToken, pk=pk)
    if token_revoke(token=token, by=request.user, request=request):
        messages.success(request, _("已吊销令牌 %(prefix)s…。") % {"prefix": token.prefix})
    return redirect("api:tokens")


# The schema's description, shown at the top of the documentation page: what the guide says, in short.
DESCRIPTION = gettext_lazy(
    "共青城市义务教育优质均衡督导平台的数据接口（v1）：供九江市平台等系统读取学校、填报、评估结果和督导推进数据，"
    "代学校填报数据，请求生成并下载自评报告。\n\n"
    "**使用要点**\n\n"
    "1. **令牌**：向市教体局管理员申请（平台“接口令牌”页面），令牌只显示一次，请妥善保存；每次请求带上请求头 "
    "`Authorization: Bearer <令牌>`。令牌看到的数据与其所属账号在网页上看到的完全一致。\n"
    "2. **权限范围**：`read` 读取；`returns:write` 填报写入；"
    "`reports:write` 请求生成自评报告（仅限教体局账号的令牌）。\n"
    "3. **分页**：列表返回 `count`、`next`、`results`，沿 `next` 链接取下一页，直到它为 `null`；"
    "`page_size` 最大 500。\n"
    "4. **一年的结果三次请求**：`/api/v1/rounds/?year=2024&kind=official` 查批次号，"
    "`/api/v1/county-verdicts/{批次号}/` 取县级结论，`/api/v1/school-results/?round={批次号}&page_size=500` "
    "取各校指标。\n"
    "5. **轮询**：结果接口带 `ETag` / `Last-Modified`，回送 `If-None-Match`，未重新计算时返回 304。\n"
    "6. **写入**：须带读到的 `version`（已被他人修改时返回 409）；带 `Idempotency-Key` 可安全重试。\n"
    '7. **错误**：统一为 `{"error": {"code", "message", "fields"}}`，`code` 为英文代码，'
    "`message` 为中文说明。\n\n"
    "完整的《接口使用指南》（含各用途的 curl 示例）由市教体局随令牌一并提供。"
)


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema, for signed-in users and token holders."""

    permission_classes = [LoggedInOrToken]

    @extend_schema(**SCHEMA_KWARGS)
    def get(self, request, *args, **kwargs):
        self.custom_settings = {"DESCRIPTION": str(DESCRIPTION)}
        return super().get(request, *args, **kwargs)


class DocsView(APIView):
    """Swagger UI from the portal's own static files; its start-up script is a static file too (strict CSP)."""

    permission_classes = [LoggedInOrToken]
    renderer_classes = [TemplateHTMLRenderer]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return Response(
            {
                "schema_url": reverse("api:schema"),
                "dist": static("drf_spectacular_sidecar/swagger-ui-dist/"),
                "title": _("接口文档"),
            },
            template_name="api/docs.html",
        )


@csrf_exempt  # it changes nothing: a POST to a path that names nothing is a 404 too, not a CSRF 403
def not_found(request, rest=""):
    """Any path under /api/ that names no resource (the bare /api/v1/ included): the API's JSON 404, not a page."""
    body = error_body("not_found", str(GENERIC_MESSAGES[404]))
    return JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
