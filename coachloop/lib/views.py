"""Small helpers shared by views: pagination, htmx fragments, domain errors onto forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
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
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
