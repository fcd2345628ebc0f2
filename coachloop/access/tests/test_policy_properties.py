"""Property: whatever the tree, the memberships and the content, no generated user sees a record
outside the organisations they belong to (and those under them)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from coachloop.access import policy
from coachloop.access.models import Visibility
from coachloop.engagements.models import ParticipantRole
from coachloop.organisations.models import OrganisationKind, Role
from coachloop.testing.factories import (
    EngagementFactory,
    MembershipFactory,
    NoteFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    UserFactory,
)

world_spec = st.fixed_dictionaries(
    {
        # parent index for each organisation after the first two roots (-1, -2: the roots)
        "parents": st.lists(st.integers(min_value=0, max_value=8), min_size=1, max_size=7),
        "memberships": st.lists(
            st.tuples(
                st.integers(0, 5),
                st.integers(0, 8),
                st.sampled_from(Role.values),
                st.booleans(),
            ),
            max_size=12,
        ),
        "notes": st.lists(
            st.tuples(
                st.integers(0, 8),  # organisation
                st.integers(0, 5),  # author
                st.sampled_from(Visibility.values),
                st.lists(
                    st.tuples(st.integers(0, 5), st.sampled_from(ParticipantRole.values)),
                    max_size=4,
                ),
                st.lists(st.integers(0, 5), max_size=2),  # programme administrators
            ),
            max_size=5,
        ),
    }
)


class TenancyProperties(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(spec=world_spec)
    def test_nobody_sees_outside_their_organisations(self, spec):
        orgs = [
            OrganisationFactory(kind=OrganisationKind.PROVIDER),
            OrganisationFactory(kind=OrganisationKind.PROVIDER),
        ]
        for parent in spec["parents"]:
            orgs.append(OrganisationFactory(parent=orgs[parent % len(orgs)]))
        users = [UserFactory() for _ in range(6)]
        memberships = {
            (u, o % len(orgs), role): active for u, o, role, active in spec["memberships"]
        }  # one row per person, organisation and role, as the database requires
        for (u, o, role), active in memberships.items():
            MembershipFactory(user=users[u], organisation=orgs[o], role=role, is_active=active)
        for o, author, level, participants, admins in spec["notes"]:
            org = orgs[o % len(orgs)]
            programme = ProgrammeFactory(organisation=org)
            programme.administrators.add(*[users[a] for a in admins])
            engagement = EngagementFactory(programme=programme, organisation=org)
            for u, role in set(participants):
                ParticipantFactory(engagement=engagement, user=users[u], role=role)
            NoteFactory(engagement=engagement, author=users[author], visibility=level)

        def ancestors(org):
            chain = []
            while org is not None:
                chain.append(org.pk)
                org = org.parent
            return chain

        for user in users:
            policy.forget(user)
            mine = {m.organisation_id for m in user.memberships.filter(is_active=True)}

            def inside(org, mine=mine):
                return any(pk in mine for pk in ancestors(org))

            for org in policy.organisations_visible_to(user):
                assert inside(org)
            for note in policy.notes_visible_to(user).select_related("organisation"):
                assert inside(note.organisation)
            for engagement in policy.engagements_visible_to(user):
                assert inside(engagement.organisation)
            for membership in policy.memberships_visible_to(user):
                assert inside(membership.organisation)
            for person in policy.people_visible_to(user):
                assert person == user or any(
                    inside(m.organisation) for m in person.memberships.all()
                )
