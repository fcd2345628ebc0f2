"""The signed-in person's notifications (reminders and notices) and their notification
settings. Nobody reads another's notifications: every read goes through policy.notifications_of."""

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from coachloop.api.common import user_of
from coachloop.lib.errors import DomainError
from coachloop.notifications import selectors, services
from coachloop.notifications.models import NotificationPreference

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    path: str
    due_at: datetime.datetime
    read_at: datetime.datetime | None
    emailed_at: datetime.datetime | None


class ReadIn(Schema):
    ids: list[int] | None = Field(
        default=None, description="The notifications to mark read; leave out with all=true"
    )
    all: bool = Field(default=False, description="Mark every due notification read")


class ReadOut(Schema):
    marked: int


class SettingsIO(Schema):
    email: bool = Field(description="Send email at all (false: the app only)")
    before_meeting_minutes: int = Field(
        description="Minutes before a meeting for its reminder: 0, 15, 60, 1440 or 2880"
    )
    month_unscheduled: bool
    step_overdue: bool
    weekly_digest: bool
    time_zone: str = Field(default="", description="IANA zone; empty: the server's default")


def _settings(pref: NotificationPreference, time_zone: str) -> dict[str, Any]:
    return {
        "email": pref.email,
        "before_meeting_minutes": pref.before_meeting_minutes,
        "month_unscheduled": pref.month_unscheduled,
        "step_overdue": pref.step_overdue,
        "weekly_digest": pref.weekly_digest,
        "time_zone": time_zone,
    }


@router.get(
    "/me/notifications",
    response=list[NotificationOut],
    summary="Your notifications that are due, newest first",
)
@paginate(PageNumberPagination)
def notification_list(request: HttpRequest) -> Any:
    return selectors.notifications_for(user_of(request)).defer(None)


@router.post(
    "/me/notifications/read",
    response=ReadOut,
    summary="Mark notifications read: those named by id, or all",
)
def notification_read(request: HttpRequest, payload: ReadIn) -> dict[str, int]:
    if not payload.all and payload.ids is None:
        raise DomainError("Name the notifications (ids) or send all=true.", field="ids")
    ids = None if payload.all else payload.ids
    return {"marked": services.mark_read(user=user_of(request), ids=ids)}


@router.get("/me/notification-settings", response=SettingsIO, summary="What you are told, and how")
def settings_get(request: HttpRequest) -> dict[str, Any]:
    user = user_of(request)
    return _settings(services.preferences_of(user), user.time_zone)


@router.put(
    "/me/notification-settings", response=SettingsIO, summary="Change what you are told, and how"
)
def settings_put(request: HttpRequest, payload: SettingsIO) -> dict[str, Any]:
    user = user_of(request)
    pref = services.save_preferences(user=user, **payload.dict())
    return _settings(pref, user.time_zone)
