"""Each role's menu shows only what it may open (issue 11, finding 7): the menu is derived from the views' role rules,
and every link of every persona's menu answers 200."""

import re

import pytest
from django.urls import reverse

from gongqing.menu import MENU, may_open, menu_for
from gongqing.roles import Role

PERSONAS = (
    Role.BUREAU_ADMIN,
    Role.BUREAU_STAFF,
    "ganlu_official",
    "jiangyi_official",
    Role.LEADERSHIP,
    Role.DEPARTMENT_OFFICER,
    Role.AUDITOR,
)
NAV = re.compile(r'<nav class="mainnav">(.*?)</nav>', re.DOTALL)
LINK = re.compile(r'<a href="([^"]+)">([^<]+)</a>')


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_of_every_personas_menu_answers_200(persona, client, personas, official_round, ganlu_school):
    client.force_login(personas[persona])
    home = client.get(reverse("home"))
    assert home.status_code == 200
    links = LINK.findall(NAV.search(home.content.decode()).group(1))
    assert links == menu_for(personas[persona]) and links
    for url, label in links:
        response = client.get(url, follow=True)  # 评估结果 goes on to the latest round's page
        where = f"{persona}: {label} {url} → {response.redirect_chain} {response.status_code}"
        assert response.status_code == 200, where
        assert not any(reverse("login") in hop for hop, _code in response.redirect_chain), where


def test_the_auditors_menu_is_the_home_page_and_the_audit_log(personas):
    assert [label for _url, label in menu_for(personas[Role.AUDITOR])] == ["首页", "审计日志"]


def test_the_menu_offers_each_page_to_exactly_the_roles_its_view_lets_in(personas):
    """Derived, not hand-kept: an entry appears for a role if and only if the view's role check lets that role in."""
    for route, _label in MENU:
        url = reverse(route)
        for persona in PERSONAS:
            user = personas[persona]
            shown = url in {u for u, _l in menu_for(user)}
            assert shown == may_open(user, route), (route, persona)


def test_the_api_client_and_anonymous_get_no_menu(personas):
    from django.contrib.auth.models import AnonymousUser

    assert menu_for(personas[Role.API_CLIENT]) == []
    assert menu_for(AnonymousUser()) == []
    assert menu_for(None) == []


def test_a_route_that_states_no_roles_is_never_offered(personas):
    # The login page is open to everyone and has no role check: it is not a menu page for anybody.
    assert not may_open(personas[Role.BUREAU_ADMIN], "login")
