"""Making reminders: one pass over what is coming and what is overdue, run by the worker's tick.

Every reminder is a `Notification` row with a key unique per person (this meeting at this
sequence, this step overdue since that day, this month unscheduled), so a scan run twice, or by
two workers at once, makes each reminder once. The scan is set-based: a few queries per kind of
reminder, never one per engagement, so it runs over a large programme in seconds.

A reminder names the kind of meeting or step, the engagement, the time and a link: never the
minutes, notes or the text of an agreed next step (those are confidential content)."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coachloop.cadence.services import cadence_specs
from coachloop.engagements.models import (
    TEAM_ROLES,
    Engagement,
    EngagementStatus,
    Participant,
    StepProgress,
    StepStatus,
)
from coachloop.meetings.models import FollowUp, Meeting, MeetingParticipant, MeetingStatus
from coachloop.meetings.times import stored_zone
from coachloop.notifications.models import Notification, NotificationKind, NotificationPreference
from coachloop.playbooks.models import PlaybookVersion

#: meeting reminders are made for meetings starting within this horizon
MEETING_HORIZON = datetime.timedelta(days=7)
_CHUNK = 500


# --- preferences -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prefs:
    email: bool
    before_meeting_minutes: int
    month_unscheduled: bool
    step_overdue: bool
    weekly_digest: bool

    @property
    def email_each(self) -> bool:
        """Whether a step or month reminder is emailed on its own (not summed in a digest)."""
        return self.email and not self.weekly_digest


def _default(name: str) -> Any:
    field: Any = NotificationPreference._meta.get_field(name)
    return field.get_default()


DEFAULT_PREFS = Prefs(
    email=_default("email"),
    before_meeting_minutes=_default("before_meeting_minutes"),
    month_unscheduled=_default("month_unscheduled"),
    step_overdue=_default("step_overdue"),
    weekly_digest=_default("weekly_digest"),
)
_PREF_FIELDS = ("email", "before_meeting_minutes", "month_unscheduled", "step_overdue")


class _PrefMap(dict[int, Prefs]):
    def __missing__(self, user_id: int) -> Prefs:
        return DEFAULT_PREFS


def all_prefs() -> _PrefMap:
    """Everyone's preferences in one query; people who never changed theirs get the defaults."""
    found = _PrefMap()
    rows = NotificationPreference.objects.values("user_id", *_PREF_FIELDS, "weekly_digest")
    for row in rows:
        user_id = row.pop("user_id")
        found[user_id] = Prefs(**row)
    return found


def prefs_of(user: Any) -> Prefs:
    row = NotificationPreference.objects.filter(user=user).values(*_PREF_FIELDS, "weekly_digest")
    first = row.first()
    return Prefs(**first) if first else DEFAULT_PREFS


# --- helpers -----------------------------------------------------------------------------------


def _chunks[T](items: list[T], size: int = _CHUNK) -> Iterator[list[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def insert(rows: Iterable[Notification]) -> int:
    """Add the reminders that do not exist yet; returns how many were new. Safe to run twice
    or concurrently: the unique (user, key) constraint drops duplicates."""
    unique: dict[tuple[int, str], Notification] = {}
    for row in rows:
        unique.setdefault((row.user_id, row.key), row)
    if not unique:
        return 0
    keys = sorted({key for _user, key in unique})
    existing: set[tuple[int, str]] = set()
    for chunk in _chunks(keys):
        existing.update(Notification.objects.filter(key__in=chunk).values_list("user_id", "key"))
    new = [row for pair, row in unique.items() if pair not in existing]
    Notification.objects.bulk_create(new, ignore_conflicts=True, batch_size=_CHUNK)
    return len(new)


def when(moment: datetime.datetime, zone_name: str | None) -> str:
    """'Tuesday 1 December 2026, 14:00 (Europe/London)' in the reader's zone."""
    zone = stored_zone(zone_name)
    local = moment.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({zone.key})"


def day(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


Titles = dict[tuple[int, str], str]


def meeting_type_titles(version_ids: Iterable[int | None]) -> Titles:
    """{(playbook version, meeting type key): its title}, for the versions named (one query)."""
    titles: Titles = {}
    wanted = {v for v in version_ids if v is not None}
    for version in PlaybookVersion.objects.filter(pk__in=wanted):
        for spec in version.spec.meeting_types:
            titles[(version.pk, spec.key)] = spec.title
    return titles


def type_title(titles: Titles, version_id: int | None, key: str) -> str:
    found = titles.get((version_id, key)) if version_id is not None else None
    return found or key.replace("-", " ").capitalize() or _("Meeting")


def parse_meeting_key(key: str) -> tuple[str, int] | None:
    """'meeting:<uid>:<sequence>' -> (uid, sequence)."""
    parts = key.split(":")
    if len(parts) != 3 or parts[0] != "meeting" or not parts[2].isdigit():
        return None
    try:
        uid = str(uuid.UUID(parts[1]))
    except ValueError:
        return None
    return uid, int(parts[2])


def is_stale(key: str, meeting: Any, now: datetime.datetime) -> bool:
    """A meeting reminder whose meeting is gone, cancelled, held, moved or already begun."""
    parsed = parse_meeting_key(key)
    if parsed is None or meeting is None:
        return True
    return (
        meeting["status"] != MeetingStatus.PLANNED
        or meeting["sequence"] != parsed[1]
        or meeting["starts_at"] <= now
    )


# --- the kinds of reminder ---------------------------------------------------------------------


def _active_engagements() -> Any:
    return Engagement.objects.filter(status=EngagementStatus.ACTIVE)


def meeting_reminders(now: datetime.datetime, prefs: _PrefMap) -> int:
    rows = list(
        MeetingParticipant.objects.filter(
            meeting__status=MeetingStatus.PLANNED,
            meeting__starts_at__gt=now,
            meeting__starts_at__lte=now + MEETING_HORIZON,
            meeting__engagement__status=EngagementStatus.ACTIVE,
            user__is_active=True,
        ).values(
            "user_id",
            "user__time_zone",
            "meeting_id",
            "meeting__uid",
            "meeting__sequence",
            "meeting__starts_at",
            "meeting__minutes",
            "meeting__mode",
            "meeting__meeting_type",
            "meeting__engagement_id",
            "meeting__engagement__title",
            "meeting__engagement__playbook_version_id",
        )
    )
    titles = meeting_type_titles(r["meeting__engagement__playbook_version_id"] for r in rows)
    mode_field: Any = Meeting._meta.get_field("mode")
    modes = dict(mode_field.flatchoices)
    made: list[Notification] = []
    for r in rows:
        pref = prefs[r["user_id"]]
        if pref.before_meeting_minutes <= 0:
            continue
        starts_at = r["meeting__starts_at"]
        kind_title = type_title(
            titles, r["meeting__engagement__playbook_version_id"], r["meeting__meeting_type"]
        )
        at = when(starts_at, r["user__time_zone"])
        engagement = r["meeting__engagement__title"]
        mode = str(modes.get(r["meeting__mode"], r["meeting__mode"])).lower()
        made.append(
            Notification(
                user_id=r["user_id"],
                kind=NotificationKind.MEETING_SOON,
                key=f"meeting:{r['meeting__uid']}:{r['meeting__sequence']}",
                subject=_("Reminder: %(type)s on %(when)s") % {"type": kind_title, "when": at},
                body=_("%(type)s in “%(engagement)s”: %(when)s, %(minutes)s minutes, %(mode)s.")
                % {
                    "type": kind_title,
                    "engagement": engagement,
                    "when": at,
                    "minutes": r["meeting__minutes"],
                    "mode": mode,
                },
                path=reverse("meeting_detail", args=[r["meeting__engagement_id"], r["meeting_id"]]),
                due_at=max(
                    starts_at - datetime.timedelta(minutes=pref.before_meeting_minutes), now
                ),
                created_at=now,
                email=pref.email,
            )
        )
    return insert(made)


def month_unscheduled(now: datetime.datetime, prefs: _PrefMap) -> int:
    today = timezone.localtime(now).date()
    month_start = today.replace(day=1)
    next_month = (month_start + datetime.timedelta(days=32)).replace(day=1)
    rules: dict[int, tuple[set[str], int]] = {}
    for version_id, cadence in cadence_specs().items():
        if not cadence.meetings_per_month_at_least or today.day < cadence.schedule_by_day:
            continue
        rules[version_id] = (set(cadence.meeting_types), cadence.meetings_per_month_at_least)
    if not rules:
        return 0
    engagements = {
        e["pk"]: e
        for e in _active_engagements()
        .filter(playbook_version_id__in=list(rules), starts_on__lte=today)
        .exclude(ends_on__lt=today)
        .values("pk", "title", "playbook_version_id")
    }
    # The month a meeting counts for is its own local month (its time zone), as in the cadence:
    # read a day either side of the server's month and place each meeting in Python.
    server_zone = timezone.get_current_timezone()
    window = (
        datetime.datetime.combine(month_start, datetime.time(), server_zone)
        - datetime.timedelta(days=1),
        datetime.datetime.combine(next_month, datetime.time(), server_zone)
        + datetime.timedelta(days=1),
    )
    counted: dict[int, int] = defaultdict(int)
    meetings = Meeting.objects.filter(
        engagement__status=EngagementStatus.ACTIVE,
        engagement__playbook_version_id__in=list(rules),
        status__in=[MeetingStatus.PLANNED, MeetingStatus.HELD],
        starts_at__gte=window[0],
        starts_at__lt=window[1],
    ).values("engagement_id", "meeting_type", "starts_at", "time_zone")
    for m in meetings:
        engagement = engagements.get(m["engagement_id"])
        if engagement is None:
            continue
        types, _required = rules[engagement["playbook_version_id"]]
        if types and m["meeting_type"] not in types:
            continue
        local = m["starts_at"].astimezone(stored_zone(m["time_zone"])).date()
        if (local.year, local.month) == (today.year, today.month):
            counted[m["engagement_id"]] += 1
    short = {
        pk for pk, e in engagements.items() if counted[pk] < rules[e["playbook_version_id"]][1]
    }
    if not short:
        return 0
    titles = meeting_type_titles(rules)
    team = Participant.objects.filter(
        engagement__status=EngagementStatus.ACTIVE,
        engagement__playbook_version_id__in=list(rules),
        role__in=TEAM_ROLES,
        user__is_active=True,
    ).values_list("engagement_id", "user_id")
    month_name = f"{month_start:%B %Y}"
    made: list[Notification] = []
    for engagement_id, user_id in team:
        if engagement_id not in short:
            continue
        pref = prefs[user_id]
        if not pref.month_unscheduled:
            continue
        engagement = engagements[engagement_id]
        types, required = rules[engagement["playbook_version_id"]]
        names = [type_title(titles, engagement["playbook_version_id"], t) for t in sorted(types)]
        what = " or ".join(names) if names else _("meeting")
        made.append(
            Notification(
                user_id=user_id,
                kind=NotificationKind.MONTH_UNSCHEDULED,
                key=f"month:{engagement_id}:{month_start:%Y-%m}",
                subject=_("Not yet scheduled: your %(what)s for %(month)s")
                % {"what": what.lower(), "month": month_name},
                body=_(
                    "“%(engagement)s” needs at least %(required)s %(what)s in %(month)s, and "
                    "not enough are scheduled yet. Schedule it from the engagement's meetings."
                )
                % {
                    "engagement": engagement["title"],
                    "required": required,
                    "what": what.lower(),
                    "month": month_name,
                },
                path=reverse("meeting_list", args=[engagement_id]),
                due_at=now,
                created_at=now,
                email=pref.email_each,
            )
        )
    return insert(made)


def overdue_steps(now: datetime.datetime, prefs: _PrefMap) -> int:
    today = timezone.localtime(now).date()
    open_overdue = StepProgress.objects.filter(
        status=StepStatus.OPEN, due_on__lt=today, engagement__status=EngagementStatus.ACTIVE
    )
    steps = list(
        open_overdue.values(
            "pk", "engagement_id", "owner_role", "due_on", "title", "engagement__title"
        )
    )
    if not steps:
        return 0
    holders: dict[tuple[int, str], set[int]] = defaultdict(set)
    overdue_here = open_overdue.filter(
        engagement=OuterRef("engagement"), owner_role=OuterRef("role")
    )
    for engagement_id, role, user_id in Participant.objects.filter(
        Exists(overdue_here), user__is_active=True
    ).values_list("engagement_id", "role", "user_id"):
        holders[(engagement_id, role)].add(user_id)
    made: list[Notification] = []
    for step in steps:
        for user_id in holders.get((step["engagement_id"], step["owner_role"]), ()):
            pref = prefs[user_id]
            if not pref.step_overdue:
                continue
            made.append(
                Notification(
                    user_id=user_id,
                    kind=NotificationKind.STEP_OVERDUE,
                    key=f"step:{step['pk']}:{step['due_on']}",
                    subject=_("Overdue: %(step)s") % {"step": step["title"]},
                    body=_("“%(step)s” in “%(engagement)s” was due on %(due)s.")
                    % {
                        "step": step["title"],
                        "engagement": step["engagement__title"],
                        "due": day(step["due_on"]),
                    },
                    path=reverse("engagement_detail", args=[step["engagement_id"]]),
                    due_at=now,
                    created_at=now,
                    email=pref.email_each,
                )
            )
    return insert(made)


def overdue_follow_ups(now: datetime.datetime, prefs: _PrefMap) -> int:
    today = timezone.localtime(now).date()
    rows: Any = FollowUp.objects.filter(
        done_at__isnull=True,
        owner__isnull=False,
        owner__is_active=True,
        due_on__lt=today,
        engagement__status=EngagementStatus.ACTIVE,
    ).values("pk", "owner_id", "due_on", "engagement_id", "engagement__title", "meeting_id")
    made: list[Notification] = []
    for r in rows:
        pref = prefs[r["owner_id"]]
        if not pref.step_overdue:
            continue
        path = (
            reverse("meeting_detail", args=[r["engagement_id"], r["meeting_id"]])
            if r["meeting_id"]
            else reverse("engagement_detail", args=[r["engagement_id"]])
        )
        made.append(
            Notification(
                user_id=r["owner_id"],
                kind=NotificationKind.FOLLOW_UP_OVERDUE,
                key=f"followup:{r['pk']}:{r['due_on']}",
                subject=_("Overdue: a next step you agreed in “%(engagement)s”")
                % {"engagement": r["engagement__title"]},
                body=_("A next step you agreed to in “%(engagement)s” was due on %(due)s.")
                % {"engagement": r["engagement__title"], "due": day(r["due_on"])},
                path=path,
                due_at=now,
                created_at=now,
                email=pref.email_each,
            )
        )
    return insert(made)


def sweep_stale_meeting_reminders(now: datetime.datetime) -> int:
    """Mark done (read, never emailed) the unsent reminders of meetings since cancelled,
    moved or held, so the app does not show a time that no longer holds."""
    pending = list(
        Notification.objects.filter(
            kind=NotificationKind.MEETING_SOON,
            emailed_at__isnull=True,
            read_at__isnull=True,
            due_at__gte=now - MEETING_HORIZON - datetime.timedelta(days=1),
        ).values_list("pk", "key")
    )
    if not pending:
        return 0
    uids = sorted({p[0] for _pk, key in pending if (p := parse_meeting_key(key))})
    meetings: dict[str, Any] = {}
    for chunk in _chunks(uids):
        for m in Meeting.objects.filter(uid__in=chunk).values(
            "uid", "status", "sequence", "starts_at"
        ):
            meetings[str(m["uid"])] = m
    stale: list[int] = []
    for pk, key in pending:
        parsed = parse_meeting_key(key)
        meeting = meetings.get(parsed[0]) if parsed else None
        if meeting is not None and meeting["starts_at"] <= now and meeting["status"] == "planned":
            continue  # the meeting is on now or past: the reminder was right, leave it
        if is_stale(key, meeting, now):
            stale.append(pk)
    done = 0
    for some in _chunks(stale):
        done += Notification.objects.filter(pk__in=some).update(email=False, read_at=now)
    return done


def digests(now: datetime.datetime, prefs: _PrefMap) -> int:
    local = timezone.localtime(now)
    if local.weekday() != 0:
        return 0
    year, week, _weekday = local.isocalendar()
    key = f"digest:{year}-W{week:02d}"
    wanted = {user_id for user_id, pref in prefs.items() if pref.weekly_digest}
    if not wanted:
        return 0
    wanted -= set(
        Notification.objects.filter(key=key, user_id__in=wanted).values_list("user_id", flat=True)
    )
    from coachloop.accounts.models import User

    users = {
        u["pk"]: u
        for u in User.objects.filter(pk__in=wanted, is_active=True).values("pk", "time_zone")
    }
    if not users:
        return 0
    ids = list(users)
    week_start = datetime.datetime.combine(local.date(), datetime.time(), local.tzinfo)
    week_end = week_start + datetime.timedelta(days=7)
    today = local.date()

    meetings: dict[int, list[Any]] = defaultdict(list)
    for r in (
        MeetingParticipant.objects.filter(
            user_id__in=ids,
            meeting__status=MeetingStatus.PLANNED,
            meeting__starts_at__gte=week_start,
            meeting__starts_at__lt=week_end,
            meeting__engagement__status=EngagementStatus.ACTIVE,
        )
        .values(
            "user_id",
            "meeting__starts_at",
            "meeting__meeting_type",
            "meeting__engagement__title",
            "meeting__engagement__playbook_version_id",
        )
        .order_by("meeting__starts_at")
    ):
        meetings[r["user_id"]].append(r)
    titles = meeting_type_titles(
        r["meeting__engagement__playbook_version_id"] for rows in meetings.values() for r in rows
    )

    roles: dict[tuple[int, str], set[int]] = defaultdict(set)
    for engagement_id, role, user_id in Participant.objects.filter(
        user_id__in=ids, engagement__status=EngagementStatus.ACTIVE
    ).values_list("engagement_id", "role", "user_id"):
        roles[(engagement_id, role)].add(user_id)
    overdue: dict[int, list[Any]] = defaultdict(list)
    for step in (
        StepProgress.objects.filter(
            status=StepStatus.OPEN,
            due_on__lt=today,
            engagement__status=EngagementStatus.ACTIVE,
            engagement__participants__user_id__in=ids,
        )
        .values("engagement_id", "owner_role", "title", "due_on", "engagement__title")
        .distinct()
        .order_by("due_on")
    ):
        for user_id in roles.get((step["engagement_id"], step["owner_role"]), ()):
            overdue[user_id].append(step)

    unread: dict[int, list[str]] = defaultdict(list)
    for user_id, subject in (
        Notification.objects.filter(user_id__in=ids, read_at__isnull=True, due_at__lte=now)
        .exclude(kind=NotificationKind.DIGEST)
        .order_by("-due_at", "-id")
        .values_list("user_id", "subject")
    ):
        unread[user_id].append(subject)

    made: list[Notification] = []
    for user_id, user in users.items():
        lines = [_("Your week in Coachloop, from %(day)s.") % {"day": day(today)}, ""]
        mine = meetings.get(user_id, [])
        lines.append(_("Meetings this week: %(n)s") % {"n": len(mine)})
        for r in mine:
            kind_title = type_title(
                titles, r["meeting__engagement__playbook_version_id"], r["meeting__meeting_type"]
            )
            lines.append(
                f"- {when(r['meeting__starts_at'], user['time_zone'])}: {kind_title}, "
                f"“{r['meeting__engagement__title']}”"
            )
        late = overdue.get(user_id, [])
        lines += ["", _("Overdue steps: %(n)s") % {"n": len(late)}]
        for s in late[:50]:
            lines.append(f"- {s['title']}, “{s['engagement__title']}”, {day(s['due_on'])}")
        news = unread.get(user_id, [])
        lines += ["", _("Unread notifications: %(n)s") % {"n": len(news)}]
        lines += [f"- {subject}" for subject in news[:30]]
        made.append(
            Notification(
                user_id=user_id,
                kind=NotificationKind.DIGEST,
                key=key,
                subject=_("Your week: %(m)s meetings, %(o)s overdue steps")
                % {"m": len(mine), "o": len(late)},
                body="\n".join(lines),
                path=reverse("notification_list"),
                due_at=now,
                created_at=now,
                email=prefs[user_id].email,
            )
        )
    return insert(made)


def scan(now: datetime.datetime | None = None) -> int:
    """Make every reminder that is due to exist by `now`; returns how many were new."""
    now = now or timezone.now()
    prefs = all_prefs()
    made = meeting_reminders(now, prefs)
    sweep_stale_meeting_reminders(now)
    made += month_unscheduled(now, prefs)
    made += overdue_steps(now, prefs)
    made += overdue_follow_ups(now, prefs)
    made += digests(now, prefs)  # last: it sums up the others
    return made
