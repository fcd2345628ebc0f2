"""Pages of survey administrations: start one from an engagement, the list, the detail with the
live response rate, and the managers' actions (invite, print links, remind, extend, close).
Each view finds its records through the policy, parses the input with a form, calls a service
or selector, then renders or redirects. No page says who has or has not answered."""

from __future__ import annotations

import datetime
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.engagements.models import Engagement, Participant
from coachloop.engagements.services import default_visibility
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import add_domain_error, is_fragment_request, paginate, raise_refusal
from coachloop.surveys import selectors, services
from coachloop.surveys.forms import AdministrationForm, ExtendForm, InviteForm, PrintForm
from coachloop.surveys.models import Administration, Instrument
from coachloop.surveys.schema import ROLE_LABELS
from coachloop.surveys.services import PrintedLink
from coachloop.surveys.tasks import link_for


def qr_svg(link: str, label: str) -> SafeString:
    """A QR code of `link` as inline SVG (no style or script: the CSP allows it)."""
    svg = segno.make(link, error="m").svg_inline(scale=3, svgclass="qr", lineclass=None)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return mark_safe(svg)  # noqa: S308 - segno's own markup, the label escaped


def _links_page(
    request: AuthedRequest, administration: Administration, printed: list[PrintedLink]
) -> HttpResponse:
    """The printed links and their QR codes, shown this once (their tokens are not stored)."""
    links = []
    for number, link in enumerate(printed, start=1):
        url = link_for(link.token)
        links.append(
            {
                "number": number,
                "role": ROLE_LABELS.get(link.role, link.role),
                "url": url,
                "qr": qr_svg(url, _("QR code for link %d") % number),
            }
        )
    response = render(
        request,
        "surveys/administration_links.html",
        {"administration": administration, "links": links},
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Start an administration --------------------------------------------------------------------


@login_required
@never_cache
def administration_new(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    policy.require(request.user, Action.SURVEY, engagement)
    instruments = selectors.instruments_for(request.user)
    people = [
        p.user
        for p in Participant.objects.filter(engagement=engagement)
        .select_related("user")
        .order_by("user__given_name", "user__family_name", "user_id")
    ]
    people = list({u.pk: u for u in people}.values())
    # links may name the instrument and the subject (the peer team page's "Start a 360")
    key = request.GET.get("instrument", "").strip()[:60] or services.default_instrument_key(
        engagement
    )
    default = instruments.filter(key=key).order_by("organisation_id").first() if key else None
    today = timezone.localdate()
    initial: dict[str, Any] = {
        "instrument": default.pk if default else None,
        "opens_on": today,
        "closes_on": today + datetime.timedelta(days=14),
        "visibility": default_visibility(engagement, "report"),
        "printable_role": "staff",
    }
    asked = request.GET.get("subject", "")
    if asked.isdigit() and any(u.pk == int(asked) for u in people):
        initial["subject"] = int(asked)
    form = AdministrationForm(
        request.POST or None,
        instruments=instruments,
        people=people,
        earlier=selectors.earlier_administrations(engagement),
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            subject = next((u for u in people if u.pk == data["subject"]), None)
            instrument: Instrument = data["instrument"]
            try:
                raters = services.parse_raters(data["raters"] or "")
                count = data["printable_count"] or 0
                created = services.administration_create(
                    actor=request.user,
                    engagement=engagement,
                    instrument=instrument,
                    title=data["title"],
                    opens_on=data["opens_on"],
                    closes_on=data["closes_on"],
                    roles=data["roles"],
                    subject=subject,
                    raters=raters,
                    previous=data["previous"],
                    visibility=data["visibility"],
                    printable={data["printable_role"]: count} if count else None,
                    live_results=data["live_results"],
                )
            except DomainError as err:
                raise_refusal(err)
                add_domain_error(form, err)
            else:
                if created.printed:
                    messages.success(request, _("Survey created; invitations are on their way."))
                    return _links_page(request, created.administration, created.printed)
                messages.success(request, _("Survey created; invitations are on their way."))
                return redirect("administration_detail", pk=created.administration.pk)
    return render(
        request,
        "surveys/administration_form.html",
        {"engagement": engagement, "form": form},
        status=status,
    )


# --- List and detail ----------------------------------------------------------------------------


@login_required
@never_cache
def administration_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    engagement = None
    if request.GET.get("engagement", "").isdigit():
        engagement = policy.get_visible_or_404(request.user, Engagement, request.GET["engagement"])
    page = paginate(
        request,
        selectors.administration_list(user=request.user, query=query, engagement=engagement),
    )
    today = timezone.localdate()
    rows = [
        {
            "adm": adm,
            "status": selectors.STATUS_LABELS[selectors.status_of(adm, today)],
            "rate": selectors.response_rate(adm),
        }
        for adm in page.object_list
    ]
    template = "surveys/administration_list.html"
    if is_fragment_request(request):
        template += "#results"
    can_start = engagement is not None and policy.allowed(request.user, Action.SURVEY, engagement)
    return render(
        request,
        template,
        {
            "page": page,
            "rows": rows,
            "query": query,
            "engagement": engagement,
            "can_start": can_start,
        },
    )


def _detail(
    request: AuthedRequest,
    administration: Administration,
    *,
    extend_form: ExtendForm | None = None,
    invite_form: InviteForm | None = None,
    print_form: PrintForm | None = None,
    status: int = 200,
) -> HttpResponse:
    manage = selectors.can_manage(request.user, administration)
    state = selectors.status_of(administration)
    roles = list(administration.roles)
    context = {
        "adm": administration,
        "spec": administration.spec,
        "state": state,
        "status_label": selectors.STATUS_LABELS[state],
        "rate": selectors.response_rate(administration),
        "invitees": paginate(request, selectors.invitees(administration)),
        "printed": [
            (ROLE_LABELS.get(r, r), n) for r, n in selectors.printed_counts(administration)
        ],
        "role_labels": ", ".join(ROLE_LABELS.get(r, r) for r in roles),
        "manage": manage,
        "extend_form": extend_form or ExtendForm(),
        "invite_form": invite_form or InviteForm(),
        "print_form": print_form or PrintForm(roles=roles),
        "can_print": any(r != "self" for r in roles),
        "report_url": _report_url(administration),
    }
    return render(request, "surveys/administration_detail.html", context, status=status)


def _report_url(administration: Administration) -> str:
    """The report page (helper "engine" owns it); empty while it is not wired."""
    try:
        return reverse("report", args=[administration.pk])
    except NoReverseMatch:
        return ""


def _visible(request: AuthedRequest, pk: int) -> Administration:
    return policy.get_visible_or_404(request.user, Administration, pk)


def _managed(request: AuthedRequest, pk: int) -> Administration:
    administration = _visible(request, pk)
    policy.require(request.user, Action.MANAGE, administration)
    return administration


@login_required
@never_cache
def administration_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request, pk))


@login_required
@never_cache
def administration_close(request: AuthedRequest, pk: int) -> HttpResponse:
    administration = _managed(request, pk)
    if request.method == "POST":
        try:
            services.administration_close(actor=request.user, administration=administration)
        except DomainError as err:
            raise_refusal(err)
            messages.error(request, err.message)
        else:
            messages.success(request, _("Survey closed. Its report is final."))
        return redirect("administration_detail", pk=administration.pk)
    return render(
        request,
        "surveys/administration_close.html",
        {"adm": administration, "rate": selectors.response_rate(administration)},
    )


@login_required
@never_cache
@require_POST
def administration_extend(request: AuthedRequest, pk: int) -> HttpResponse:
    administration = _managed(request, pk)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            services.administration_extend(
                actor=request.user,
                administration=administration,
                closes_on=form.cleaned_data["closes_on"],
            )
        except DomainError as err:
            raise_refusal(err)
            if err.status == 409:
                messages.error(request, err.message)
                return redirect("administration_detail", pk=administration.pk)
            add_domain_error(form, err)
        else:
            messages.success(request, _("Close date changed."))
            return redirect("administration_detail", pk=administration.pk)
    return _detail(request, administration, extend_form=form, status=422)


@login_required
@never_cache
@require_POST
def administration_remind(request: AuthedRequest, pk: int) -> HttpResponse:
    administration = _managed(request, pk)
    try:
        services.reminders_send(actor=request.user, administration=administration)
    except DomainError as err:
        raise_refusal(err)
        messages.error(request, err.message)
    else:
        messages.success(request, _("Reminders sent."))
    return redirect("administration_detail", pk=administration.pk)


@login_required
@never_cache
@require_POST
def administration_invite(request: AuthedRequest, pk: int) -> HttpResponse:
    administration = _managed(request, pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            raters = services.parse_raters(form.cleaned_data["raters"])
            services.invitations_add(
                actor=request.user, administration=administration, raters=raters
            )
        except DomainError as err:
            raise_refusal(err)
            add_domain_error(form, err)
        else:
            messages.success(request, _("Invitations are on their way."))
            return redirect("administration_detail", pk=administration.pk)
    return _detail(request, administration, invite_form=form, status=422)


@login_required
@never_cache
@require_POST
def administration_print(request: AuthedRequest, pk: int) -> HttpResponse:
    administration = _managed(request, pk)
    form = PrintForm(request.POST, roles=list(administration.roles))
    if form.is_valid():
        try:
            printed = services.printed_links_add(
                actor=request.user,
                administration=administration,
                role=form.cleaned_data["role"],
                count=form.cleaned_data["count"],
            )
        except DomainError as err:
            raise_refusal(err)
            add_domain_error(form, err)
        else:
            return _links_page(request, administration, printed)
    return _detail(request, administration, print_form=form, status=422)
