"""calendar API: the signed-in person's private calendar feed address. The address is shown
once, when it is made; afterwards only whether it exists and when it was last used."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from coachloop.api.common import user_of
from coachloop.meetings import calendar

router = Router(tags=["calendar"])


class CalendarFeedOut(Schema):
    exists: bool
    created_at: datetime | None = Field(description="When the current address was made.")
    last_used_at: datetime | None = Field(
        description="When a calendar app last read it (recorded at most once an hour)."
    )


class CalendarFeedCreatedOut(Schema):
    url: str = Field(description="The https:// address; shown only this once.")
    webcal_url: str = Field(description="The same address as webcal://, for calendar apps.")
    created_at: datetime


@router.get(
    "/me/calendar",
    response=CalendarFeedOut,
    summary="Whether you have a calendar feed address (never the address itself)",
)
def calendar_feed_status(request: HttpRequest) -> CalendarFeedOut:
    feed = calendar.active_feed(user_of(request))
    return CalendarFeedOut(
        exists=feed is not None,
        created_at=feed.created_at if feed else None,
        last_used_at=feed.last_used_at if feed else None,
    )


@router.post(
    "/me/calendar",
    response={201: CalendarFeedCreatedOut},
    summary="Make your calendar feed address, replacing any earlier one; shown only once",
)
def calendar_feed_create(request: HttpRequest) -> Status[CalendarFeedCreatedOut]:
    user = user_of(request)
    raw = calendar.feed_create(user)
    address = calendar.feed_address(raw)
    feed = calendar.active_feed(user)
    assert feed is not None
    return Status(
        201,
        CalendarFeedCreatedOut(
            url=address.https, webcal_url=address.webcal, created_at=feed.created_at
        ),
    )


@router.delete(
    "/me/calendar",
    response={204: None},
    summary="Revoke your calendar feed address: calendar apps stop getting your meetings",
)
def calendar_feed_revoke(request: HttpRequest) -> Status[None]:
    calendar.feed_revoke(user_of(request))
    return Status(204, None)
