"""Pages of the instrument library: the list, one version laid out in full (domains, items,
scales, who is asked what), copying one to adapt it, editing the whole file, uploading a new one,
downloading it, archiving. Each view: ask the policy, parse the input, call a service, render or
redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import add_domain_error, paginate, raise_refusal, render_page_or_fragment
from coachloop.surveys import instrument_services as services
from coachloop.surveys import schema
from coachloop.surveys.instrument_forms import (
    InstrumentCopyForm,
    InstrumentTextForm,
    InstrumentUploadForm,
)
from coachloop.surveys.models import Instrument, InstrumentVersion

BUILTIN_REFUSAL = gettext_lazy("Built-in instruments can't be changed; copy one to adapt it.")


def _version_number(request: AuthedRequest) -> int | None:
    raw = request.GET.get("version", "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404 from None


def _shown_version(request: AuthedRequest, instrument: Instrument) -> InstrumentVersion:
    version = services.instrument_version(instrument=instrument, number=_version_number(request))
    if version is None:
        raise Http404
    return version


def _adaptable_or_refuse(request: AuthedRequest, pk: int) -> Instrument | HttpResponse:
    """The instrument, when the user may change it: 404 when they may not see it, 403 (with the
    reason) when it is built-in or not theirs to manage."""
    instrument = policy.get_visible_or_404(request.user, Instrument, pk)
    if instrument.is_builtin:
        context = {
            "instrument": instrument,
            "message": BUILTIN_REFUSAL,
            "can_copy": services.can_copy(request.user),
        }
        return render(request, "surveys/instrument_refused.html", context, status=403)
    policy.require(request.user, Action.MANAGE, instrument)
    if instrument.current is None:
        raise Http404
    return instrument


def _problems_message(problems: list[str]) -> str:
    return ngettext(
        "The file has %(n)d problem; nothing was saved.",
        "The file has %(n)d problems; nothing was saved.",
        len(problems),
    ) % {"n": len(problems)}


@login_required
def instrument_list(request: AuthedRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    instruments = services.instrument_list(user=request.user, query=search)
    page = paginate(request, instruments)
    sources = {i.based_on_id for i in page.object_list if i.based_on_id}
    for instrument in page.object_list:
        instrument.kind_label = services.KIND_LABELS.get(instrument.kind, instrument.kind)
    context = {
        "page": page,
        "search": search,
        "visible_sources": services.visible_ids(user=request.user, ids=sources),
        "can_copy": services.can_copy(request.user),
    }
    return render_page_or_fragment(request, "surveys/instrument_list.html", context, "results")


@login_required
def instrument_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    instrument = policy.get_visible_or_404(request.user, Instrument, pk)
    version = _shown_version(request, instrument)
    is_current = version.pk == instrument.current_id
    based_on = None
    if instrument.based_on_id:
        based_on = (
            policy.instruments_visible_to(request.user).filter(pk=instrument.based_on_id).first()
        )
    versions = services.instrument_versions(instrument=instrument)
    can_manage = not instrument.is_builtin and policy.allowed(
        request.user, Action.MANAGE, instrument
    )
    context = {
        "instrument": instrument,
        "version": version,
        "is_current": is_current,
        "layout": services.layout(version.spec),
        "based_on": based_on,
        "versions": versions[:50],
        "version_count": versions.count(),
        "can_copy": services.can_copy(request.user),
        "can_manage": can_manage,
        "can_adapt": is_current and can_manage,
    }
    return render(request, "surveys/instrument_detail.html", context)


@login_required
def instrument_copy(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET: the form (where to, under which name); POST: copy, then open the copy."""
    source = policy.get_visible_or_404(request.user, Instrument, pk)
    if not services.can_copy(request.user):
        raise PermissionDenied
    form = InstrumentCopyForm(
        request.POST or None,
        user=request.user,
        initial={"name": _("%(name)s (adapted)") % {"name": source.name}},
    )
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.instrument_copy(
                actor=request.user,
                source=source,
                organisation=form.cleaned_data["organisation"],
                name=form.cleaned_data["name"],
            )
        except DomainError as err:
            raise_refusal(err)
            add_domain_error(form, err)
        else:
            messages.success(
                request,
                _("“%(copy)s” is a copy of %(source)s. Adapt it by editing its file.")
                % {"copy": copy.name, "source": source.name},
            )
            return redirect(copy)
    status = 422 if form.errors else 200
    return render(
        request, "surveys/instrument_copy.html", {"form": form, "source": source}, status=status
    )


@login_required
def instrument_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """The whole instrument as a file: every problem listed with its path, nothing saved until
    the file is valid, and what was typed kept."""
    found = _adaptable_or_refuse(request, pk)
    if isinstance(found, HttpResponse):
        return found
    instrument = found
    current = instrument.current
    assert current is not None
    initial = {"text": schema.dump(current.spec), "base_version": current.number}
    form = InstrumentTextForm(request.POST or None, initial=initial)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                version = services.instrument_save_text(
                    actor=request.user,
                    instrument=instrument,
                    text=form.cleaned_data["text"],
                    base_version=form.cleaned_data["base_version"],
                )
            except schema.InstrumentError as error:
                problems = error.messages
                form.add_error("text", _problems_message(problems))
            except DomainError as err:
                raise_refusal(err)
                add_domain_error(form, err)
                if err.status == 409:
                    status = 409
            else:
                if version.number == current.number:
                    messages.info(request, _("Nothing changed, so no new version was made."))
                else:
                    messages.success(
                        request,
                        _(
                            "Saved as version %(number)s. Surveys already given keep the "
                            "version they were given with."
                        )
                        % {"number": version.number},
                    )
                return redirect(instrument)
    context = {"instrument": instrument, "version": current, "form": form, "problems": problems}
    return render(request, "surveys/instrument_edit.html", context, status=status)


@login_required
def instrument_upload(request: AuthedRequest) -> HttpResponse:
    """A new instrument from a file, into an organisation the user administers."""
    if not services.can_copy(request.user):
        raise PermissionDenied
    form = InstrumentUploadForm(request.POST or None, request.FILES or None, user=request.user)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            content = upload.read(services.MAX_FILE_BYTES + 1)  # enough to refuse a larger one
            instrument = services.instrument_upload(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                filename=upload.name or "instrument.yaml",
                content=content,
            )
        except schema.InstrumentError as error:
            problems = error.messages
            form.add_error("file", _problems_message(problems))
        except DomainError as err:
            raise_refusal(err)
            add_domain_error(form, err)
        else:
            messages.success(
                request,
                _("“%(name)s” is in the library as version 1.") % {"name": instrument.name},
            )
            return redirect(instrument)
    status = 422 if form.errors else 200
    context = {"form": form, "problems": problems}
    return render(request, "surveys/instrument_upload.html", context, status=status)


@login_required
def instrument_download(request: AuthedRequest, pk: int) -> HttpResponse:
    """The instrument file, for anyone who may see the instrument (?version=n for an older
    one)."""
    instrument = policy.get_visible_or_404(request.user, Instrument, pk)
    version = _shown_version(request, instrument)
    response = HttpResponse(schema.dump(version.spec), content_type="text/yaml; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{instrument.key}-v{version.number}.yaml"'
    )
    return response


@login_required
@require_POST
def instrument_archive(request: AuthedRequest, pk: int) -> HttpResponse:
    """Archive the instrument (or, with restore=1, bring it back)."""
    instrument = policy.get_visible_or_404(request.user, Instrument, pk)
    archived = request.POST.get("restore") != "1"
    try:
        services.instrument_archive(actor=request.user, instrument=instrument, archived=archived)
    except DomainError as err:
        raise_refusal(err)
        raise
    if archived:
        messages.success(
            request,
            _("Archived. New surveys can't use it; surveys already given keep their results."),
        )
    else:
        messages.success(request, _("Restored: new surveys can use it again."))
    return redirect(instrument)
