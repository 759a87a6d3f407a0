"""Huge integers in URLs name nothing: 404, never a 500 from the database."""

import re

import pytest

from app.core.permissions import EXCLUSIVE_ROLES, Role
from tests.factories import login, make_employee

HUGE = "99999999999999999999"


def _int_only_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.arguments and all(
            type(rule._converters[a]).__name__ == "BoundedIntegerConverter" for a in rule.arguments
        ):
            yield rule


def test_every_int_argument_is_bounded(app):
    rules = list(_int_only_rules(app))
    assert len(rules) > 20  # the admin, video, referral, case, meeting and report pages
    assert all("<int:" in rule.rule for rule in rules)


def test_huge_integers_give_404_on_every_int_route(app, client):
    login(client, make_employee(roles=sorted(set(Role) - EXCLUSIVE_ROLES)))
    answers = {}
    for rule in _int_only_rules(app):
        url = re.sub(r"<int:[^>]+>", HUGE, rule.rule)
        method = "GET" if "GET" in rule.methods else "POST"
        answers[f"{method} {url}"] = client.open(url, method=method).status_code
    assert set(answers.values()) == {404}, {k: v for k, v in answers.items() if v != 404}


@pytest.mark.parametrize(
    "url",
    [
        f"/admin/employees/{HUGE}",
        f"/consultation/cases/{HUGE}",
        f"/reports/departments/{HUGE}",
        f"/scenarios/any/results/{HUGE}",
    ],
)
def test_a_few_pages_with_a_huge_id(client, url):
    login(client, make_employee(roles=sorted(set(Role) - EXCLUSIVE_ROLES)))
    assert client.get(url).status_code == 404
    assert client.get(url.replace(HUGE, "2147483647")).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/admin/employees?page=",
        "/consultation/audit?page=",
        "/reports/?course=",
        "/reports/?division=",
        "/reports/overdue?page=",
    ],
)
def test_huge_numbers_in_the_query_string_are_ignored(client, url):
    login(client, make_employee(roles=sorted(set(Role) - EXCLUSIVE_ROLES)))
    assert client.get(url + HUGE).status_code in (200, 404)
