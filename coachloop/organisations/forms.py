from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from coachloop.accounts.models import User
from coachloop.organisations import selectors
from coachloop.organisations.models import Organisation, OrganisationKind, Role


class OrganisationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{'— ' * obj.depth}{obj.name}"


class PersonCreateForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    given_name = forms.CharField(label=_("Given name"), max_length=150)
    family_name = forms.CharField(label=_("Family name"), max_length=150)
    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation")
    )
    role = forms.ChoiceField(choices=Role.choices, label=_("Role"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = selectors.organisations_for_choice(user=user)  # type: ignore[attr-defined]


class PersonEditForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    given_name = forms.CharField(label=_("Given name"), max_length=150)
    family_name = forms.CharField(label=_("Family name"), max_length=150)
    is_active = forms.BooleanField(
        label=_("Can sign in"),
        required=False,
        help_text=_("Untick to stop this person signing in."),
    )


class MembershipAddForm(forms.Form):
    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation")
    )
    role = forms.ChoiceField(choices=Role.choices, label=_("Role"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = selectors.organisations_for_choice(user=user)  # type: ignore[attr-defined]


class OrganisationCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(choices=OrganisationKind.choices, label=_("Kind"))
    identifier = forms.CharField(
        label=_("Identifier"),
        max_length=255,
        required=False,
        help_text=_("A code your district uses, such as a school number."),
    )


class OrganisationEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    identifier = forms.CharField(label=_("Identifier"), max_length=255, required=False)
    require_mfa_for_all = forms.BooleanField(
        label=_("Require a second factor for everyone here"), required=False
    )


def _check_size(upload: Any, label: object) -> Any:
    limit = settings.COACHLOOP_MAX_UPLOAD_BYTES
    if upload is not None and upload.size > limit:
        raise forms.ValidationError(
            _("%(name)s is %(size)s; the limit is %(limit)s.")
            % {"name": label, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    return upload


class RosterImportForm(forms.Form):
    orgs = forms.FileField(label=_("orgs.csv"), required=False)
    users = forms.FileField(label=_("users.csv"), required=False)
    roles = forms.FileField(label=_("roles.csv (optional)"), required=False)
    bundle = forms.FileField(
        label=_("Or one zip with the files"),
        required=False,
        help_text=_("A OneRoster zip holding orgs.csv, users.csv and optionally roles.csv."),
    )

    def clean_orgs(self) -> Any:
        return _check_size(self.cleaned_data.get("orgs"), "orgs.csv")

    def clean_users(self) -> Any:
        return _check_size(self.cleaned_data.get("users"), "users.csv")

    def clean_roles(self) -> Any:
        return _check_size(self.cleaned_data.get("roles"), "roles.csv")

    def clean_bundle(self) -> Any:
        return _check_size(self.cleaned_data.get("bundle"), _("The zip"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("bundle")
            and not (data.get("orgs") and data.get("users"))
            and not self.errors
        ):
            raise forms.ValidationError(
                _("Choose orgs.csv and users.csv, or one zip that holds them.")
            )
        return data
