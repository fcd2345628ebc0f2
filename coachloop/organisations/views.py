"""Pages for people, organisations and the roster import. Each view: parse, ask the policy,
call a service or selector, render or redirect."""

from __future__ import annotations

import zipfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import add_domain_error, paginate, render_page_or_fragment
from coachloop.organisations import oneroster, selectors, services
from coachloop.organisations.forms import (
    MembershipAddForm,
    OrganisationCreateForm,
    OrganisationEditForm,
    PersonCreateForm,
    PersonEditForm,
    RosterImportForm,
)
from coachloop.organisations.models import Membership, Organisation, Role


@login_required
def person_list(request: AuthedRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    org = None
    if org_id := request.GET.get("organisation"):
        org = policy.get_visible_or_404(request.user, Organisation, org_id)
    people = selectors.person_list(user=request.user, search=search, organisation=org, role=role)
    context = {
        "page": paginate(request, people),
        "search": search,
        "role": role,
        "roles": Role.choices,
        "organisation": org,
        "can_add": selectors.organisations_for_choice(user=request.user).exists(),
    }
    return render_page_or_fragment(request, "organisations/person_list.html", context, "results")


@login_required
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = policy.get_visible_or_404(request.user, User, pk)
    can_manage = policy.allowed(request.user, Action.MANAGE, person)
    form = MembershipAddForm(user=request.user) if can_manage else None
    return _person_page(request, person, can_manage, form)


def _person_page(
    request: AuthedRequest,
    person: User,
    can_manage: bool,
    form: MembershipAddForm | None,
    status: int = 200,
) -> HttpResponse:
    memberships = list(selectors.person_memberships(user=request.user, person=person))
    managed = set(
        policy.memberships_managed_by(request.user)
        .filter(pk__in=[m.pk for m in memberships])
        .values_list("pk", flat=True)
    )
    context = {
        "person": person,
        "memberships": memberships,
        "managed": managed,
        "can_manage": can_manage,
        "form": form,
    }
    return render(request, "organisations/person_detail.html", context, status=status)


@login_required
def person_create(request: AuthedRequest) -> HttpResponse:
    if not selectors.organisations_for_choice(user=request.user).exists():
        return render(request, "403.html", status=403)
    form = PersonCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("%(person)s was added.") % {"person": person})
            return redirect(person)
    status = 422 if form.errors else 200
    return render(
        request, "organisations/person_form.html", {"form": form, "creating": True}, status=status
    )


@login_required
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = policy.get_visible_or_404(request.user, User, pk)
    policy.require(request.user, Action.MANAGE, person)
    initial = {f: getattr(person, f) for f in ("email", "given_name", "family_name", "is_active")}
    form = PersonEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(person)
    status = 422 if form.errors else 200
    return render(
        request, "organisations/person_form.html", {"form": form, "person": person}, status=status
    )


@login_required
@require_POST
def membership_add(request: AuthedRequest, pk: int) -> HttpResponse:
    person = policy.get_visible_or_404(request.user, User, pk)
    policy.require(request.user, Action.MANAGE, person)
    form = MembershipAddForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.membership_add(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("Role added."))
            return redirect(person)
    return _person_page(request, person, True, form, status=422)


@login_required
def membership_end(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST ends the role."""
    membership = policy.get_visible_or_404(request.user, Membership, pk)
    policy.require(request.user, Action.MANAGE, membership)
    if request.method == "POST":
        try:
            services.membership_end(actor=request.user, membership=membership)
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(
                request,
                _("%(person)s is no longer %(role)s in %(org)s. Add the role again to undo.")
                % {
                    "person": membership.user,
                    "role": membership.get_role_display().lower(),
                    "org": membership.organisation,
                },
            )
        return redirect(membership.user)
    return render(request, "organisations/membership_end.html", {"membership": membership})


@login_required
def organisation_list(request: AuthedRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    orgs = selectors.organisation_list(user=request.user, search=search)
    context = {"page": paginate(request, orgs, per_page=100), "search": search}
    return render_page_or_fragment(
        request, "organisations/organisation_list.html", context, "results"
    )


@login_required
def organisation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    org = policy.get_visible_or_404(request.user, Organisation, pk)
    ancestors = policy.organisations_visible_to(request.user).filter(pk__in=org.ancestor_ids()[:-1])
    can_manage = policy.allowed(request.user, Action.MANAGE, org)
    context = {
        "organisation": org,
        "ancestors": ancestors.order_by("depth"),
        "children": selectors.organisation_children(user=request.user, organisation=org)[:200],
        "role_counts": selectors.organisation_role_counts(user=request.user, organisation=org),
        "can_manage": can_manage,
    }
    return render(request, "organisations/organisation_detail.html", context)


@login_required
def organisation_create(request: AuthedRequest, pk: int) -> HttpResponse:
    parent = policy.get_visible_or_404(request.user, Organisation, pk)
    policy.require(request.user, Action.MANAGE, parent)
    form = OrganisationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_create(
                actor=request.user, parent=parent, **form.cleaned_data
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("%(org)s was added.") % {"org": org})
            return redirect(org)
    status = 422 if form.errors else 200
    return render(
        request,
        "organisations/organisation_form.html",
        {"form": form, "parent": parent},
        status=status,
    )


@login_required
def organisation_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    org = policy.get_visible_or_404(request.user, Organisation, pk)
    policy.require(request.user, Action.MANAGE, org)
    initial = {
        "name": org.name,
        "identifier": org.identifier,
        "require_mfa_for_all": org.require_mfa_for_all,
    }
    form = OrganisationEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.organisation_update(actor=request.user, organisation=org, **form.cleaned_data)
        messages.success(request, _("Changes saved."))
        return redirect(org)
    status = 422 if form.errors else 200
    return render(
        request,
        "organisations/organisation_form.html",
        {"form": form, "organisation": org},
        status=status,
    )


@login_required
def roster_import(request: AuthedRequest, pk: int) -> HttpResponse:
    org = policy.get_visible_or_404(request.user, Organisation, pk)
    policy.require(request.user, Action.IMPORT_ROSTER, org)
    form = RosterImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            files = _roster_files(form)
            if files is None:
                form.add_error("bundle", _("This is not a zip file that can be read."))
            else:
                report = oneroster.roster_import(actor=request.user, root=org, files=files)
                if report.ok:
                    messages.success(request, _("The roster was imported."))
        if form.errors or (report is not None and not report.ok):
            status = 422
    context = {"organisation": org, "form": form, "report": report}
    return render(request, "organisations/roster_import.html", context, status=status)


def _roster_files(form: RosterImportForm) -> oneroster.RosterFiles | None:
    data = form.cleaned_data
    if data.get("bundle"):
        try:
            return oneroster.RosterFiles.from_zip(data["bundle"].read())
        except (ValueError, zipfile.BadZipFile):
            return None
    files = oneroster.RosterFiles()
    for key, name in (
        ("orgs", oneroster.ORGS),
        ("users", oneroster.USERS),
        ("roles", oneroster.ROLES),
    ):
        if data.get(key):
            files[name] = data[key].read()
    return files
