"""The respondent's pages (`/s/<token>/`): no account, no session, no cookie, no JavaScript
needed; phone-first. A welcome page, one page per domain, the free-text questions last, a
review and submit, a thank-you page. Progress is saved on every page, encrypted with a key
from the link (surveys.tokens).

Anonymity: answers travel only in POST bodies and the encrypted draft; nothing is put in
messages or logs. Every answer here carries `Cache-Control: no-store` and
`Referrer-Policy: no-referrer`, and is marked as logged so that Django's request logger never
writes the URL (which holds the token) for a 4xx answer. CSRF protection is off for these
views on purpose: the unguessable token in the URL is itself the proof that the request comes
from the link's holder, and no cookie is needed."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from coachloop.lib.errors import DomainError
from coachloop.surveys import services
from coachloop.surveys.models import Invitation
from coachloop.surveys.schema import Instrument, ItemSpec
from coachloop.surveys.services import DraftData, Page

View = Callable[..., HttpResponse]


def private(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        # django.request logs 4xx answers with their path, which holds the token: never.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response

    return csrf_exempt(wrapped)


def _error(request: HttpRequest, err: DomainError) -> HttpResponse:
    titles = {
        404: _("This link is not valid"),
        410: _("This survey can no longer be answered"),
        409: _("This survey is not open yet"),
    }
    return render(
        request,
        "surveys/respond_error.html",
        {"title": titles.get(err.status, _("Something is not right")), "message": err.message},
        status=err.status if err.status in titles else 400,
    )


def _open(token: str) -> tuple[Invitation, Instrument, list[Page]]:
    invitation = services.invitation_for(token)
    services.check_answerable(invitation)
    spec = invitation.administration.spec
    return invitation, spec, services.pages_for(spec, invitation.role)


def _item_text(item: ItemSpec, role: str) -> str:
    return item.self_text if role == "self" and item.self_text else item.text


def _page_context(
    spec: Instrument,
    invitation: Invitation,
    pages: list[Page],
    page: Page,
    draft: DraftData,
    *,
    posted: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Everything a page template needs, with each item's options and the checked one."""
    errors = errors or {}
    items = []
    for item in page.items:
        scale = spec.scale(item.scale)
        if posted is not None:
            chosen = posted.get(item.key, "")
        else:
            value = draft.values.get(item.key, "")
            chosen = "na" if item.key in draft.values and value is None else str(value)
        options = [
            {"value": str(p.value), "label": p.label, "checked": chosen == str(p.value)}
            for p in scale.points
        ]
        if scale.not_applicable:
            options.append(
                {"value": "na", "label": scale.not_applicable, "checked": chosen == "na"}
            )
        items.append(
            {
                "key": item.key,
                "text": _item_text(item, invitation.role),
                "scale": scale.label,
                "options": options,
                "error": errors.get(item.key, ""),
            }
        )
    questions = [
        {
            "key": q.key,
            "prompt": q.prompt,
            "text": (posted or {}).get(q.key, draft.comments.get(q.key, ""))
            if posted is not None
            else draft.comments.get(q.key, ""),
            "error": errors.get(q.key, ""),
        }
        for q in page.questions
    ]
    return {
        "adm": invitation.administration,
        "spec": spec,
        "page": page,
        "total": len(pages),
        "items": items,
        "questions": questions,
        "errors": errors,
        "max_comment": services.COMMENT_MAX,
        "is_last": page.number == len(pages),
    }


@private
@require_http_methods(["GET", "HEAD"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The welcome page: the instrument's introduction and the anonymity promise."""
    try:
        invitation, spec, pages = _open(token)
    except DomainError as err:
        return _error(request, err)
    draft = services.draft_load(invitation, token)
    resume = min(max(draft.page, 1), len(pages)) if draft.values or draft.comments else 1
    return render(
        request,
        "surveys/respond_welcome.html",
        {
            "adm": invitation.administration,
            "spec": spec,
            "token": token,
            "total": len(pages),
            "resume": resume,
            "started": bool(draft.values or draft.comments),
            "self": invitation.role == "self",
        },
    )


@private
@require_http_methods(["GET", "HEAD", "POST"])
def respond_page(request: HttpRequest, token: str, number: int) -> HttpResponse:
    try:
        invitation, spec, pages = _open(token)
    except DomainError as err:
        return _error(request, err)
    if not 1 <= number <= len(pages):
        return redirect("respond", token=token)
    page = pages[number - 1]
    draft = services.draft_load(invitation, token)
    if request.method != "POST":
        context = _page_context(spec, invitation, pages, page, draft)
        return render(request, "surveys/respond_page.html", {**context, "token": token})

    posted = {item.key: request.POST.get(f"item-{item.key}", "") for item in page.items}
    posted |= {q.key: request.POST.get(f"q-{q.key}", "") for q in page.questions}
    values: dict[str, int | None] = {}
    cleared: list[str] = []
    errors: dict[str, str] = {}
    for item in page.items:
        try:
            answered, value = services.parse_answer(posted[item.key])
        except ValueError:
            errors[item.key] = _("Choose one of the answers given.")
            continue
        if answered:
            values[item.key] = value
        else:
            cleared.append(item.key)
    comments = {q.key: posted[q.key] for q in page.questions}
    if not errors:
        try:
            services.draft_save(
                token=token, page=number, values=values, comments=comments, cleared=cleared
            )
        except DomainError as err:
            if err.status != 400:
                return _error(request, err)
            errors = dict(err.errors) or {"": err.message}
    if errors:
        for item in page.items:  # an invalid choice cannot stay checked
            if item.key in errors:
                posted[item.key] = ""
        context = _page_context(spec, invitation, pages, page, draft, posted=posted, errors=errors)
        return render(request, "surveys/respond_page.html", {**context, "token": token}, status=400)
    go = request.POST.get("go", "next")
    if go == "back":
        if number == 1:
            return redirect("respond", token=token)
        return redirect("respond_page", token=token, number=number - 1)
    if go == "next" and number < len(pages):
        return redirect("respond_page", token=token, number=number + 1)
    return redirect("respond_review", token=token)


def _review_context(
    invitation: Invitation, spec: Instrument, pages: list[Page], draft: DraftData
) -> dict[str, Any]:
    rows = []
    for page in pages:
        answers = []
        for item in page.items:
            scale = spec.scale(item.scale)
            label = scale.label_of(draft.values[item.key]) if item.key in draft.values else ""
            answers.append({"text": _item_text(item, invitation.role), "answer": label})
        for q in page.questions:
            answers.append({"text": q.prompt, "answer": draft.comments.get(q.key, "")})
        rows.append(
            {
                "page": page,
                "answers": answers,
                "missing": sum(1 for a in answers if not a["answer"]),
            }
        )
    return {
        "adm": invitation.administration,
        "spec": spec,
        "rows": rows,
        "total": len(pages),
        "missing": sum(r["missing"] for r in rows),
        "empty": not draft.values and not any(t.strip() for t in draft.comments.values()),
    }


@private
@require_http_methods(["GET", "HEAD", "POST"])
def respond_review(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation, spec, pages = _open(token)
    except DomainError as err:
        return _error(request, err)
    draft = services.draft_load(invitation, token)
    status = 200
    error = ""
    if request.method == "POST":
        try:
            services.submit(token=token, values=draft.values, comments=draft.comments)
        except DomainError as err:
            if err.status != 400:
                return _error(request, err)
            error, status = err.message, 400
        else:
            return redirect("respond_thanks")
    context = _review_context(invitation, spec, pages, draft)
    return render(
        request,
        "surveys/respond_review.html",
        {**context, "token": token, "error": error},
        status=status,
    )


@private
@require_http_methods(["GET", "HEAD"])
def respond_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/respond_thanks.html")
