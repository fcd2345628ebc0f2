"""Pages for playbooks: the list, a version laid out in full, copying one to adapt it, changing a
step, editing the whole file, and downloading it. Each view: ask the policy, parse the input,
call a service or selector, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import add_domain_error, paginate, raise_refusal, render_page_or_fragment
from coachloop.playbooks import schema, selectors, services
from coachloop.playbooks.forms import PlaybookCopyForm, PlaybookTextForm, StepEditForm
from coachloop.playbooks.models import Playbook, PlaybookVersion

BUILTIN_REFUSAL = gettext_lazy("Built-in playbooks can't be changed; copy one to adapt it.")


def _version_number(request: AuthedRequest) -> int | None:
    raw = request.GET.get("version", "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404 from None


def _shown_version(request: AuthedRequest, playbook: Playbook) -> PlaybookVersion:
    version = selectors.playbook_version(playbook=playbook, number=_version_number(request))
    if version is None:
        raise Http404
    return version


def _can_copy(request: AuthedRequest) -> bool:
    return policy.organisations_administered_by(request.user).exists()


def _adaptable_or_refuse(request: AuthedRequest, pk: int) -> Playbook | HttpResponse:
    """The playbook, when the user may change it: 404 when they may not see it, 403 (with the
    reason) when it is built-in or not theirs to manage."""
    playbook = policy.get_visible_or_404(request.user, Playbook, pk)
    if playbook.is_builtin:
        return render(
            request,
            "playbooks/refused.html",
            {"playbook": playbook, "message": BUILTIN_REFUSAL, "can_copy": _can_copy(request)},
            status=403,
        )
    policy.require(request.user, Action.MANAGE, playbook)
    if playbook.current is None:
        raise Http404
    return playbook


@login_required
def playbook_list(request: AuthedRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    playbooks = selectors.playbook_list(user=request.user, query=search)
    page = paginate(request, playbooks)
    sources = {p.based_on_id for p in page.object_list if p.based_on_id}
    context = {
        "page": page,
        "search": search,
        "visible_sources": selectors.visible_ids(user=request.user, ids=sources),
        "can_copy": _can_copy(request),
    }
    return render_page_or_fragment(request, "playbooks/playbook_list.html", context, "results")


@login_required
def playbook_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    playbook = policy.get_visible_or_404(request.user, Playbook, pk)
    version = _shown_version(request, playbook)
    is_current = version.pk == playbook.current_id
    based_on = None
    if playbook.based_on_id:
        based_on = policy.playbooks_visible_to(request.user).filter(pk=playbook.based_on_id).first()
    versions = selectors.playbook_versions(playbook=playbook)
    context = {
        "playbook": playbook,
        "version": version,
        "is_current": is_current,
        "layout": selectors.layout(version.spec),
        "based_on": based_on,
        "versions": versions[:50],
        "version_count": versions.count(),
        "can_copy": _can_copy(request),
        "can_adapt": is_current
        and not playbook.is_builtin
        and policy.allowed(request.user, Action.MANAGE, playbook),
    }
    return render(request, "playbooks/playbook_detail.html", context)


@login_required
def playbook_copy(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET: the form (where to, under which name); POST: copy, then open the copy."""
    source = policy.get_visible_or_404(request.user, Playbook, pk)
    if not _can_copy(request):
        raise PermissionDenied
    form = PlaybookCopyForm(
        request.POST or None,
        user=request.user,
        initial={"name": _("%(name)s (adapted)") % {"name": source.name}},
    )
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.playbook_copy(
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
                _("“%(copy)s” is a copy of %(source)s. Adapt its steps here.")
                % {"copy": copy.name, "source": source.name},
            )
            return redirect(copy)
    status = 422 if form.errors else 200
    return render(
        request, "playbooks/playbook_copy.html", {"form": form, "source": source}, status=status
    )


@login_required
def playbook_step_edit(request: AuthedRequest, pk: int, step_key: str) -> HttpResponse:
    found = _adaptable_or_refuse(request, pk)
    if isinstance(found, HttpResponse):
        return found
    playbook = found
    assert playbook.current is not None
    spec = playbook.current.spec
    try:
        phase, step = selectors.step_of(spec, step_key)
    except LookupError:
        raise Http404 from None
    initial = {
        "title": step.title,
        "due_days": step.due_days,
        "checklist": "\n".join(step.checklist),
        "description": step.description,
        "base_version": playbook.current.number,
    }
    form = StepEditForm(request.POST or None, initial=initial)
    status = 200
    conflict = None
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = services.playbook_update_step(
                    actor=request.user,
                    playbook=playbook,
                    step_key=step_key,
                    title=data["title"],
                    due_days=data["due_days"],
                    checklist=data["checklist"],
                    description=data["description"],
                    base_version=data["base_version"],
                )
            except DomainError as err:
                raise_refusal(err)
                add_domain_error(form, err)
                if err.status == 409:
                    status = 409
                    playbook.refresh_from_db()
                    assert playbook.current is not None
                    conflict = {
                        "number": playbook.current.number,
                        "step": selectors.step_of(playbook.current.spec, step_key)[1],
                    }
            else:
                messages.success(
                    request,
                    _(
                        "Saved as version %(number)s. Engagements already running keep the "
                        "version they started with."
                    )
                    % {"number": version.number},
                )
                return redirect(f"{playbook.get_absolute_url()}#step-{step_key}")
    context = {
        "playbook": playbook,
        "phase": phase,
        "step": step,
        "owner": spec.role_label(step.owner),
        "form": form,
        "conflict": conflict,
    }
    return render(request, "playbooks/step_edit.html", context, status=status)


@login_required
def playbook_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """The whole playbook as a file: every problem listed with its path, nothing saved until
    the file is valid, and what was typed kept."""
    found = _adaptable_or_refuse(request, pk)
    if isinstance(found, HttpResponse):
        return found
    playbook = found
    current = playbook.current
    assert current is not None
    initial = {"text": schema.dump(current.spec), "base_version": current.number}
    form = PlaybookTextForm(request.POST or None, initial=initial)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                version = services.playbook_save_text(
                    actor=request.user,
                    playbook=playbook,
                    text=form.cleaned_data["text"],
                    base_version=form.cleaned_data["base_version"],
                )
            except schema.PlaybookError as error:
                problems = error.messages
                form.add_error(
                    "text",
                    ngettext(
                        "The file has %(n)d problem; nothing was saved.",
                        "The file has %(n)d problems; nothing was saved.",
                        len(problems),
                    )
                    % {"n": len(problems)},
                )
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
                            "Saved as version %(number)s. Engagements already running keep the "
                            "version they started with."
                        )
                        % {"number": version.number},
                    )
                return redirect(playbook)
    context = {"playbook": playbook, "version": current, "form": form, "problems": problems}
    return render(request, "playbooks/playbook_edit.html", context, status=status)


@login_required
def playbook_download(request: AuthedRequest, pk: int) -> HttpResponse:
    """The playbook file, for anyone who may see the playbook (?version=n for an older one)."""
    playbook = policy.get_visible_or_404(request.user, Playbook, pk)
    version = _shown_version(request, playbook)
    response = HttpResponse(schema.dump(version.spec), content_type="text/yaml; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{playbook.key}-v{version.number}.yaml"'
    )
    return response
