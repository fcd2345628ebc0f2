"""Small helpers shared by views: pagination, htmx fragments, domain errors onto forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from coachloop.lib.errors import DomainError

PER_PAGE = 50


def paginate(request: HttpRequest, items: QuerySet[Any], per_page: int = PER_PAGE) -> Page[Any]:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def is_fragment_request(request: HttpRequest) -> bool:
    """htmx asking for a part of the page (not a boosted navigation)."""
    return (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    )


def render_page_or_fragment(
    request: HttpRequest, template: str, context: dict[str, Any], fragment: str
) -> HttpResponse:
    """One URL serves the page and, for htmx, the named partial of the same template."""
    name = f"{template}#{fragment}" if is_fragment_request(request) else template
    return render(request, name, context)


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """A service's refusal onto the form: each message on the field it names when the form has
    that field; when none of them has one, the refusal's message above the form."""
    placed = False
    for name, message in error.errors.items():
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def raise_refusal(error: DomainError) -> None:
    """A service's refusal that is not about the input gets the same answer as everywhere
    else: 404 for what the user may not see, 403 for what they may not do."""
    if error.status == 404:
        raise Http404
    if error.status == 403:
        raise PermissionDenied


def form_error_status(error: DomainError, request: HttpRequest | None = None) -> int:
    """The status of a form page that a service refused: input the user can correct is 422
    (the message is on the form); other refusals keep their status and, with a request, say why
    above the page."""
    if error.status in (400, 422):
        return 422
    if request is not None:
        messages.error(request, error.message)
    return error.status


def forbidden(request: HttpRequest, message: str = "") -> HttpResponse:
    """The 403 page, with the reason as a message when there is one."""
    if message:
        messages.error(request, message)
    return render(request, "403.html", status=403)


def attachment(file: FieldFile, filename: str, content_type: str) -> FileResponse:
    """An uploaded file as a download, never shown inline: 404 when the file is gone."""
    try:
        handle = file.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename or "file",
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
