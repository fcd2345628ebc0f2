"""Query-count baselines: lists and dashboards make a fixed number of queries, however much data
there is. (Timing lives in bench/, not here.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coachloop.demo.generator import generate
from coachloop.organisations.models import Role
from coachloop.testing.factories import MembershipFactory, UserFactory

PAGES = [
    "/dashboard/",
    "/people/",
    "/organisations/",
    "/engagements/",
    "/audit/",
    "/api/people",
    "/api/me",
]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


@pytest.mark.parametrize("url", PAGES)
def test_queries_do_not_grow_with_the_data(client, db, url):
    from allauth.mfa.models import Authenticator

    generate(size="demo", seed=3)
    from coachloop.accounts.models import User

    admin = User.objects.get(email="admin@demo.coachloop.test")
    assert Authenticator.objects.filter(user=admin).exists()
    client.force_login(admin)
    count_queries(client, url)  # warm the session and caches
    small = count_queries(client, url)
    district = admin.memberships.get().organisation
    for _ in range(30):  # more people, more roles
        MembershipFactory(
            user=UserFactory(), organisation=district.children.first(), role=Role.TEACHER
        )
    generate_more = count_queries(client, url)
    assert generate_more == small, f"{url}: {small} queries, then {generate_more}"
