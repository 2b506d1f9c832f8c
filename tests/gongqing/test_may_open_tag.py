"""Templates offer a link by the roles its page lets in (`{% may_open "route" as x %}`), never by naming roles: the
home page's quick links per persona, written out by hand as the pages' role rules state them."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from gongqing.roles import Role

QUICK_LINKS = ("schools:list", "schools:rounds", "schools:review_queue", "indicators:results", "audit_log")
EXPECTED = {
    Role.BUREAU_ADMIN: {"schools:list", "schools:rounds", "schools:review_queue", "indicators:results", "audit_log"},
    Role.BUREAU_STAFF: {"schools:list", "schools:rounds", "schools:review_queue", "indicators:results"},
    "ganlu_official": {"schools:list", "schools:rounds"},
    Role.LEADERSHIP: {"schools:list", "indicators:results"},
    Role.DEPARTMENT_OFFICER: {"schools:list", "indicators:results"},
    Role.AUDITOR: {"audit_log"},
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_the_home_pages_quick_links_are_those_the_persona_may_open(persona, client, personas):
    client.force_login(personas[persona])
    html = client.get(reverse("home")).content.decode()
    quick = html.split('class="card quicklinks"', 1)[1].split("</section>", 1)[0]
    shown = {route for route in QUICK_LINKS if f'href="{reverse(route)}"' in quick}
    assert shown == EXPECTED[persona]


def test_the_tag_takes_the_routes_arguments(personas):
    template = Template('{% load access %}{% may_open "indicators:standard_derive" 1 as ok %}{{ ok }}')
    assert template.render(Context({"user": personas[Role.BUREAU_ADMIN]})) == "True"
    assert template.render(Context({"user": personas[Role.BUREAU_STAFF]})) == "False"
    assert template.render(Context({})) == "False"
