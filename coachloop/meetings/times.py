"""Local wall-clock times and the aware UTC instants a meeting is stored at.

A meeting is planned in a time zone ("Europe/London"): its date and time are read there. A local
time that does not exist (the hour skipped when the clocks go forward) is refused with a clear
message; a local time that happens twice (the hour repeated when they go back) is read as its
first occurrence."""

from __future__ import annotations

import datetime
import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coachloop.lib.errors import DomainError

UTC = datetime.UTC

#: the zones offered first on the scheduling form; any IANA zone is accepted
COMMON_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
)


def server_zone() -> str:
    return str(settings.TIME_ZONE)


def zone_of(user: object) -> str:
    """A person's own zone, or the server's when they have not set one."""
    return str(getattr(user, "time_zone", "") or "") or server_zone()


def zone(name: str, *, field: str = "starts_at") -> ZoneInfo:
    """The zone called `name`; DomainError for an unknown or empty name."""
    try:
        if not name or name.startswith(("/", ".")) or ".." in name:
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise DomainError(
            _("“%s” is not a time zone we know. Choose one from the list, like Europe/London.")
            % name[:64],
            field=field,
        ) from None


def is_zone(name: str) -> bool:
    try:
        zone(name)
    except DomainError:
        return False
    return True


def zone_choices(*extra: str) -> list[tuple[str, str]]:
    """The common zones, with any others asked for (the user's own) in front."""
    names = [z for z in extra if z and z not in COMMON_ZONES and is_zone(z)]
    names += list(COMMON_ZONES)
    seen: list[str] = []
    for name in names:
        if name not in seen:
            seen.append(name)
    return [(name, name.replace("_", " ")) for name in seen]


@functools.cache
def zone_names() -> list[str]:
    """Every IANA zone name this machine knows, sorted (for a choice of one's own zone)."""
    return sorted(available_timezones())


@functools.cache
def stored_zone(name: str | None) -> ZoneInfo:
    """The zone a stored record names (a meeting's, a person's), or the server's when it is
    blank or no longer known: reading a record never fails on its zone, unlike `zone()`, which
    checks what someone types."""
    try:
        return ZoneInfo(name or server_zone())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo(server_zone())


def to_aware(
    local: datetime.datetime, tz_name: str, *, field: str = "starts_at"
) -> datetime.datetime:
    """The instant (in UTC) at which the wall clock in `tz_name` shows `local`.

    An aware datetime is already an instant and comes back in UTC unchanged. A naive one that
    falls in the gap when the clocks go forward raises DomainError on `field`; one that falls in
    the repeated hour when they go back is read as its first occurrence."""
    tz = zone(tz_name, field=field)
    if local.tzinfo is not None and local.utcoffset() is not None:
        return local.astimezone(UTC)
    first = local.replace(tzinfo=tz, fold=0)
    instant = first.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None, fold=0):
        raise DomainError(
            _(
                "%(time)s on %(date)s does not exist in %(zone)s: the clocks go forward. "
                "Choose another time."
            )
            % {
                "time": f"{local.hour}:{local.minute:02d}",
                "date": date_format(local.date(), "j F Y"),
                "zone": tz_name,
            },
            field=field,
        )
    return instant


def local(moment: datetime.datetime, tz_name: str) -> datetime.datetime:
    """The aware `moment` as the wall clock in `tz_name` shows it (aware, in that zone)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(tz_name))
