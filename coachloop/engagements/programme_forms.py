"""Forms of the programme pages: a new programme, a new engagement, engagements from a list.

Choice lists come from the policy, so nobody can pick a person, organisation or playbook they
could not see; the services check again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.engagements.models import Programme
from coachloop.organisations.forms import OrganisationChoiceField
from coachloop.organisations.models import Membership, Organisation, Role
from coachloop.playbooks import schema
from coachloop.playbooks.models import Playbook


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PersonChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class PeopleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class PlaybookChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Playbook) -> str:
        where = obj.organisation.name if obj.organisation else _("built-in")
        return f"{obj.name} ({where})"


def coaches_for_choice(user: User) -> QuerySet[User]:
    """People with an active coach role in the organisations the user administers."""
    coach_roles = policy.memberships_managed_by(user).filter(role=Role.COACH, is_active=True)
    return (
        policy.people_managed_by(user)
        .filter(is_active=True, pk__in=coach_roles.values("user_id"))
        .order_by("family_name", "given_name", "email")
    )


def people_for_engagement(user: User, programme: Programme) -> QuerySet[User]:
    """People the user may see who hold an active role at or under the programme's
    organisation: the people an engagement of this programme can include."""
    inside = Membership.objects.filter(
        is_active=True,
        organisation__is_active=True,
        organisation__path__startswith=programme.organisation.path,
    )
    return (
        policy.people_visible_to(user)
        .filter(is_active=True, pk__in=inside.values("user_id"))
        .order_by("family_name", "given_name", "email")
    )


class ProgrammeForm(forms.Form):
    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Organisation"),
        help_text=_("The district or school that runs the programme."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    playbook = PlaybookChoiceField(
        queryset=Playbook.objects.none(),
        label=_("Playbook"),
        help_text=_("The coaching process every engagement of this programme follows."),
    )
    starts_on = forms.DateField(label=_("Starts"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("Ends"), required=False, widget=DateInput())
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    coaches = PeopleChoiceField(
        queryset=User.objects.none(),
        label=_("Coaches"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People with a coach role in your organisations."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = policy.organisations_administered_by(  # type: ignore[attr-defined]
            user
        ).order_by("path")
        self.fields["playbook"].queryset = (  # type: ignore[attr-defined]
            policy.playbooks_visible_to(user)
            .filter(is_archived=False, current__isnull=False)
            .select_related("organisation")
            .order_by("organisation__name", "name")
        )
        self.fields["coaches"].queryset = coaches_for_choice(user)  # type: ignore[attr-defined]


#: The engagement form's people fields, named as the service's error keys.
ROLE_FIELDS = (
    ("coachee", "coachees"),
    ("coach", "coaches"),
    ("sponsor", "sponsors"),
    ("district_rep", "district_reps"),
)


class EngagementForm(forms.Form):
    starts_on = forms.DateField(
        label=_("Start date"),
        widget=DateInput(),
        error_messages={"required": _("Enter the date the coaching starts.")},
    )
    ends_on = forms.DateField(label=_("End date"), required=False, widget=DateInput())
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_("Leave empty to call it “Coaching” and the performer's name."),
    )

    def __init__(
        self, *args: Any, user: User, programme: Programme, spec: schema.Playbook, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        people = people_for_engagement(user, programme)
        role_fields: dict[str, forms.Field] = {}
        for role, name in ROLE_FIELDS:
            role_spec = spec.roles.get(role)  # type: ignore[call-overload]
            if role_spec is None:
                continue
            label = spec.role_label(role)
            messages = {"required": _("Choose the %s.") % label.lower()}
            field: forms.Field
            if role_spec.many:
                field = PeopleChoiceField(
                    queryset=people,
                    label=label,
                    required=role_spec.required,
                    error_messages=messages,
                    help_text=_("Choose one or more."),
                )
            else:
                field = PersonChoiceField(
                    queryset=people,
                    label=label,
                    required=role_spec.required,
                    error_messages=messages,
                    empty_label=_("Choose…"),
                )
            role_fields[name] = field
        # People first, then the dates and the title.
        self.fields = {**role_fields, **self.fields}

    def people_of(self, name: str) -> list[User]:
        value = self.cleaned_data.get(name)
        if value is None:
            return []
        if isinstance(value, User):
            return [value]
        return list(value)


class BulkForm(forms.Form):
    lines = forms.CharField(
        label=_("Engagements, one per line"),
        strip=False,
        max_length=200_000,
        widget=forms.Textarea(
            attrs={"rows": 12, "class": "mono bulk-lines", "spellcheck": "false"}
        ),
        help_text=_(
            "One engagement per line: performer email, coach email, sponsor email, district "
            "representative email, start date (YYYY-MM-DD), end date (optional). A header line "
            "is allowed."
        ),
        error_messages={"required": _("Paste at least one line.")},
    )
