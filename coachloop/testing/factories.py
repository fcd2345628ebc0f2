"""factory-boy factories. Related rows stay inside one organisation."""

import factory
from factory.django import DjangoModelFactory

from coachloop.access.models import Visibility
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement, Note, Participant, Programme
from coachloop.organisations.models import Membership, Organisation, OrganisationKind, Role

PASSWORD = "correct horse battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.DISTRICT


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.TEACHER


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Programme {n}")


class EngagementFactory(DjangoModelFactory):
    class Meta:
        model = Engagement

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SelfAttribute("programme.organisation")
    title = factory.Sequence(lambda n: f"Engagement {n}")


class ParticipantFactory(DjangoModelFactory):
    class Meta:
        model = Participant

    engagement = factory.SubFactory(EngagementFactory)
    user = factory.SubFactory(UserFactory)
    role = "coachee"


class NoteFactory(DjangoModelFactory):
    class Meta:
        model = Note

    engagement = factory.SubFactory(EngagementFactory)
    organisation = factory.SelfAttribute("engagement.organisation")
    author = factory.SubFactory(UserFactory)
    visibility = Visibility.TEAM
    title = factory.Sequence(lambda n: f"Note {n}")
    body = "Confidential coaching content."
