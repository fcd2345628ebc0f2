"""Calendar pages: the private feed a calendar app subscribes to (no sign-in: the token in the
address is the key), the account page that makes and revokes that address, and one meeting's
.ics file to download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from coachloop.access import policy
from coachloop.lib.http import AuthedRequest
from coachloop.meetings import calendar
from coachloop.meetings.models import CalendarFeed, Meeting

ICS_TYPE = "text/calendar; charset=utf-8"


def _private(response: HttpResponse) -> HttpResponse:
    """Never kept by shared caches, and the address (a secret) never leaks as a Referer."""
    response["Cache-Control"] = "private, no-store, max-age=0"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _etag_matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in tags


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's meetings for their calendar app. An unknown and a revoked address get the
    same answer, 404."""
    feed = calendar.feed_lookup(token)
    if feed is None:
        response = HttpResponse(
            _("There is no calendar at this address. Make a new one on your calendar page."),
            status=404,
            content_type="text/plain; charset=utf-8",
        )
        return _private(response)
    content = calendar.feed_content(feed.user)
    calendar.feed_touch(feed)
    if _etag_matches(request, content.etag):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(content.body(), content_type=ICS_TYPE)
        response["Content-Disposition"] = 'inline; filename="coachloop.ics"'
    response["ETag"] = content.etag
    if content.newest is not None:
        response["Last-Modified"] = http_date(content.newest.timestamp())
    return _private(response)


@never_cache
@login_required
def calendar_settings(request: AuthedRequest) -> HttpResponse:
    """Whether the person has a feed; POST makes one (replacing any), showing its address once."""
    address = None
    if request.method == "POST":
        raw = calendar.feed_create(request.user)
        address = calendar.feed_address(raw)
    feed = calendar.active_feed(request.user)
    context = {"feed": feed, "address": address}
    response = render(request, "meetings/calendar_settings.html", context)
    return _private(response) if address else response


@never_cache
@login_required
def calendar_revoke(request: AuthedRequest) -> HttpResponse:
    """GET asks for confirmation; POST ends the address."""
    feed: CalendarFeed | None = calendar.active_feed(request.user)
    if request.method == "POST":
        if calendar.feed_revoke(request.user):
            messages.success(
                request,
                _("Your calendar address is revoked: calendar apps no longer get your meetings."),
            )
        else:
            messages.info(request, _("You had no calendar address to revoke."))
        return redirect("calendar_settings")
    if feed is None:
        messages.info(request, _("You have no calendar address to revoke."))
        return redirect("calendar_settings")
    return render(request, "meetings/calendar_revoke.html", {"feed": feed})


@never_cache
@login_required
@require_safe
def meeting_ics(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """One meeting as an .ics file for any calendar app: when, where and a link, never the
    minutes."""
    meeting = policy.get_visible_or_404(
        request.user,
        Meeting,
        pk,
        engagement_id=engagement_pk,
    )
    meetings = Meeting.objects.select_related("engagement").filter(pk=meeting.pk)
    body = calendar.calendar_bytes(meetings, name=meeting.title)
    response = HttpResponse(body, content_type=ICS_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{calendar.ics_filename(meeting)}"'
    return _private(response)
