"""School calendars and response-time agreements (seed 003): what the settings pages and the API
change, with the rules and the audit trail in one place.

An organisation's programme administrators set its calendar (the school weekdays and the time
zone) and its holidays; an organisation without a calendar of its own uses the nearest one above
it, and the holidays of every organisation above it count too. An engagement's team (coaches and
coachees) agrees its response time in school days; questions already asked keep the time in force
when they were asked."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.policy import Action, AnyUser
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement
from coachloop.lib.errors import DomainError
from coachloop.lib.uploads import check_upload
from coachloop.messaging import schooldays
from coachloop.organisations.models import Holiday, Organisation, SchoolCalendar

WEEKDAY_NAMES = {
    1: "Monday",
    2: "Tuesday",
    3: "Wednesday",
    4: "Thursday",
    5: "Friday",
    6: "Saturday",
    7: "Sunday",
}
#: the longest range one request adds (a year of closures at most)
MAX_RANGE_DAYS = 366
#: the most rows one CSV file brings
MAX_IMPORT_ROWS = 1000
NAME_MAX = 200
MIN_RESPONSE_DAYS, MAX_RESPONSE_DAYS = 1, 30


# --- Reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarInfo:
    organisation: Organisation
    #: the organisation's own calendar row, None when it uses one above it (or the default)
    own: SchoolCalendar | None
    #: the organisation whose calendar is in force (itself, one above it), None: the default
    source: Organisation | None
    weekdays: list[int]
    #: the zone name as set ("" when the calendar in force names none: the server's zone)
    time_zone: str
    zone_in_force: str

    @property
    def weekday_names(self) -> list[str]:
        return [_(WEEKDAY_NAMES[d]) for d in self.weekdays]

    @property
    def inherits(self) -> bool:
        return self.own is None


def calendar_info(organisation: Organisation) -> CalendarInfo:
    path = organisation.ancestor_ids() or [organisation.pk]
    calendars = {
        c.organisation_id: c
        for c in SchoolCalendar.objects.filter(organisation_id__in=path).select_related(
            "organisation"
        )
    }
    nearest = schooldays.in_force(path, calendars)
    built = schooldays.build(path, calendars, ())
    return CalendarInfo(
        organisation=organisation,
        own=calendars.get(organisation.pk),
        source=nearest.organisation if nearest is not None else None,
        weekdays=sorted(built.weekdays),
        time_zone=nearest.time_zone if nearest is not None else "",
        zone_in_force=str(built.zone.key),
    )


def own_holidays(organisation: Organisation) -> QuerySet[Holiday]:
    return Holiday.objects.filter(organisation=organisation).order_by("date")


def inherited_holidays(organisation: Organisation) -> QuerySet[Holiday]:
    """The holidays of the organisations above it, which count here too (read-only here)."""
    above = [i for i in organisation.ancestor_ids() if i != organisation.pk]
    return (
        Holiday.objects.filter(organisation_id__in=above)
        .select_related("organisation")
        .order_by("date", "organisation__depth")
    )


# --- Checks ---------------------------------------------------------------------------------------


def may_manage(actor: AnyUser, organisation: Organisation) -> bool:
    return policy.allowed(actor, Action.MANAGE, organisation)


def _require_manager(actor: AnyUser, organisation: Organisation) -> None:
    if not policy.organisations_visible_to(actor).filter(pk=organisation.pk).exists():
        raise DomainError(_("No such organisation."), status=404)
    if not may_manage(actor, organisation):
        raise DomainError(
            _("Only the programme administrators of %(org)s change its school calendar.")
            % {"org": organisation},
            status=403,
        )


def clean_weekdays(weekdays: list[int] | list[str]) -> list[int]:
    days: set[int] = set()
    for value in weekdays:
        try:
            day = int(value)
        except (TypeError, ValueError):
            day = 0
        if not 1 <= day <= 7:
            raise DomainError(
                _("Weekdays are numbered 1 (Monday) to 7 (Sunday); %(value)s is not one.")
                % {"value": value},
                field="weekdays",
                status=422,
            )
        days.add(day)
    if not days:
        raise DomainError(
            _("Choose at least one school day of the week."), field="weekdays", status=422
        )
    return sorted(days)


def clean_time_zone(name: str) -> str:
    name = (name or "").strip()
    if name and schooldays.zone_or_none(name) is None:
        raise DomainError(
            _(
                "“%(name)s” is not a time zone we know; use a name such as Europe/London or "
                "America/New_York, or leave it empty for the server's zone."
            )
            % {"name": name},
            field="time_zone",
            status=422,
        )
    return name


def _clean_name(name: str, field: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(
            _("Name the holiday (for example “Winter break”)."), field=field, status=422
        )
    if len(name) > NAME_MAX:
        raise DomainError(
            _("Keep the name to %(max)d characters.") % {"max": NAME_MAX}, field=field, status=422
        )
    return name


# --- Calendar -------------------------------------------------------------------------------------


def calendar_save(
    *, actor: User, organisation: Organisation, weekdays: list[int], time_zone: str
) -> SchoolCalendar:
    """Give the organisation its own calendar, or change it."""
    _require_manager(actor, organisation)
    errors: dict[str, str] = {}
    days: list[int] = []
    zone = ""
    try:
        days = clean_weekdays(weekdays)
    except DomainError as err:
        errors["weekdays"] = err.message
    try:
        zone = clean_time_zone(time_zone)
    except DomainError as err:
        errors["time_zone"] = err.message
    if errors:
        raise DomainError(next(iter(errors.values())), errors=errors, status=422)
    with transaction.atomic():
        calendar, created = SchoolCalendar.objects.select_for_update().get_or_create(
            organisation=organisation, defaults={"weekdays": days, "time_zone": zone}
        )
        before = {"weekdays": calendar.weekdays, "time_zone": calendar.time_zone}
        if not created:
            calendar.weekdays = days
            calendar.time_zone = zone
            calendar.save(update_fields=["weekdays", "time_zone", "updated_at"])
        audit.record(
            actor=actor,
            action="school_calendar.create" if created else "school_calendar.update",
            target=organisation,
            data={"weekdays": days, "time_zone": zone} | ({} if created else {"before": before}),
        )
    return calendar


def calendar_remove(*, actor: User, organisation: Organisation) -> None:
    """Stop using an own calendar: the one above applies again. Its holidays stay."""
    _require_manager(actor, organisation)
    with transaction.atomic():
        deleted, _rows = SchoolCalendar.objects.filter(organisation=organisation).delete()
        if deleted:
            audit.record(actor=actor, action="school_calendar.remove", target=organisation)


# --- Holidays -------------------------------------------------------------------------------------


def _taken(organisation: Organisation, days: list[dt.date]) -> list[dt.date]:
    return list(
        Holiday.objects.filter(organisation=organisation, date__in=days)
        .order_by("date")
        .values_list("date", flat=True)
    )


def _already(taken: list[dt.date]) -> str:
    shown = ", ".join(d.isoformat() for d in taken[:5])
    more = len(taken) - 5
    if more > 0:
        shown += " " + _("and %(n)d more") % {"n": more}
    return _("Already a holiday here: %(days)s. Remove it first to rename it.") % {"days": shown}


def holidays_add(
    *,
    actor: User,
    organisation: Organisation,
    first_day: dt.date,
    last_day: dt.date | None,
    name: str,
) -> list[Holiday]:
    """One holiday, or one a day from `first_day` to `last_day` inclusive (weekends included:
    they change nothing but keep a break's days together). A day that is already a holiday here
    refuses the whole request (409)."""
    _require_manager(actor, organisation)
    name = _clean_name(name)
    last_day = last_day or first_day
    if last_day < first_day:
        raise DomainError(_("The last day is before the first day."), field="last_day", status=422)
    count = (last_day - first_day).days + 1
    if count > MAX_RANGE_DAYS:
        raise DomainError(
            _("A range covers at most %(max)d days; this one has %(n)d.")
            % {"max": MAX_RANGE_DAYS, "n": count},
            field="last_day",
            status=422,
        )
    days = [first_day + dt.timedelta(days=i) for i in range(count)]
    with transaction.atomic():
        taken = _taken(organisation, days)
        if taken:
            raise DomainError(_already(taken), field="date", status=409)
        try:
            with transaction.atomic():
                rows = Holiday.objects.bulk_create(
                    [Holiday(organisation=organisation, date=d, name=name) for d in days]
                )
        except IntegrityError:  # someone added one of these days meanwhile
            raise DomainError(
                _already(_taken(organisation, days)), field="date", status=409
            ) from None
        audit.record(
            actor=actor,
            action="holiday.add",
            target=organisation,
            data={
                "first_day": first_day.isoformat(),
                "last_day": last_day.isoformat(),
                "name": name,
            },
        )
    return rows


def holiday_remove(*, actor: User, organisation: Organisation, day: dt.date) -> None:
    _require_manager(actor, organisation)
    with transaction.atomic():
        holiday = Holiday.objects.filter(organisation=organisation, date=day).first()
        if holiday is None:
            raise DomainError(_("No holiday on that day here."), status=404)
        holiday.delete()
        audit.record(
            actor=actor,
            action="holiday.remove",
            target=organisation,
            data={"date": day.isoformat(), "name": holiday.name},
        )


class HolidayImportProblems(DomainError):
    """The file cannot be imported; `problems` names each bad row."""

    def __init__(self, problems: list[str]) -> None:
        message = _("Nothing was imported. Correct these rows and upload the file again:")
        joined = "\n".join(problems)
        super().__init__(message + "\n" + joined, field="file", errors={"file": joined}, status=422)
        self.problems = problems


def _parse_day(text: str) -> dt.date | None:
    """ISO dates only: 03/04/2026 means March in one country and April in another."""
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None


def parse_holidays(text: str) -> list[tuple[int, dt.date, str]]:
    """(row number, date, name) for each row of a `date,name` CSV; a first row naming the columns
    is skipped. Raises HolidayImportProblems naming every bad row."""
    rows = list(csv.reader(io.StringIO(text)))
    problems: list[str] = []
    found: list[tuple[int, dt.date, str]] = []
    seen: dict[dt.date, int] = {}
    started = False
    for line, cells in enumerate(rows, start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if not started:
            started = True
            if cells[0].lower() in {"date", "day"}:
                continue
        day_text = cells[0]
        name = ",".join(cells[1:]).strip() if len(cells) > 1 else ""
        wrong: list[str] = []
        day = _parse_day(day_text)
        if day is None:
            wrong.append(_("“%(text)s” is not a date (write 2026-12-24)") % {"text": day_text})
        elif day in seen:
            wrong.append(_("the date is also on row %(row)d") % {"row": seen[day]})
        if not name:
            wrong.append(_("the name is empty"))
        elif len(name) > NAME_MAX:
            wrong.append(_("the name is longer than %(max)d characters") % {"max": NAME_MAX})
        if wrong:
            problems.append(_("Row %(row)d: %(what)s.") % {"row": line, "what": "; ".join(wrong)})
        elif day is not None:
            seen[day] = line
            found.append((line, day, name))
    if len(found) + len(problems) > MAX_IMPORT_ROWS:
        problems.insert(0, _("The file has more than %(max)d rows.") % {"max": MAX_IMPORT_ROWS})
    if not found and not problems:
        problems.append(_("The file has no holidays: one row a day, date then name."))
    if problems:
        raise HolidayImportProblems(problems)
    return found


def holidays_import(
    *, actor: User, organisation: Organisation, upload: UploadedFile[bytes] | None
) -> list[Holiday]:
    """All the rows of a `date,name` CSV file, or none of them."""
    _require_manager(actor, organisation)
    check_upload(upload)
    assert upload is not None
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(
            _("The file is not UTF-8 text; save it as CSV (UTF-8)."), field="file", status=422
        ) from None
    rows = parse_holidays(text)
    with transaction.atomic():
        taken = set(_taken(organisation, [day for _line, day, _name in rows]))
        if taken:
            raise HolidayImportProblems(
                [
                    _("Row %(row)d: %(day)s is already a holiday here.")
                    % {"row": line, "day": day.isoformat()}
                    for line, day, _name in rows
                    if day in taken
                ]
            )
        created = Holiday.objects.bulk_create(
            [Holiday(organisation=organisation, date=day, name=name) for _line, day, name in rows]
        )
        audit.record(
            actor=actor, action="holiday.import", target=organisation, data={"rows": len(rows)}
        )
    return created


# --- Response time --------------------------------------------------------------------------------


def may_set_response_time(actor: AnyUser, engagement: Engagement) -> bool:
    """The engagement's team agrees it (its coaches and coachees), as they agree the rest."""
    return policy.allowed(actor, Action.ADD_NOTE, engagement)


def clean_response_days(days: int | None) -> int | None:
    if days is None:
        return None
    if not MIN_RESPONSE_DAYS <= days <= MAX_RESPONSE_DAYS:
        raise DomainError(
            _("Agree between %(min)d and %(max)d school days.")
            % {"min": MIN_RESPONSE_DAYS, "max": MAX_RESPONSE_DAYS},
            field="response_days",
            status=422,
        )
    return days


def playbook_default_days(engagement: Engagement) -> int:
    spec = engagement.spec
    return spec.responsiveness.response_days if spec is not None else 2


def response_time_set(*, actor: User, engagement: Engagement, days: int | None) -> Engagement:
    """Agree `days` school days for the engagement (None: the playbook's default). Questions
    already asked keep the time and due moment they were asked under."""
    if not policy.engagements_visible_to(actor).filter(pk=engagement.pk).exists():
        raise DomainError(_("No such engagement."), status=404)
    if not may_set_response_time(actor, engagement):
        raise DomainError(
            _("The engagement's coaches and coachees agree its response time."), status=403
        )
    days = clean_response_days(days)
    with transaction.atomic():
        before = engagement.response_days
        engagement.response_days = days
        engagement.save(update_fields=["response_days"])
        audit.record(
            actor=actor,
            action="engagement.response_time",
            target=engagement,
            data={"before": before, "after": days},
        )
    return engagement
