"""Benchmark: query counts and server time of the pages and API calls, per persona, per dataset.

    .venv/bin/python bench/run.py --size demo
    .venv/bin/python bench/run.py --size large    # 200 schools, 12,000 staff, 3,000 engagements,
                                                  # 100,000 meetings, 200,000 observations
    .venv/bin/python bench/run.py --size all      # both, then compare the query counts
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coachloop_bench_{size} \
        .venv/bin/python bench/run.py --size all

Each size gets its own SQLite file under var/ (generated once, then reused), unless DATABASE_URL
names a database; "{size}" in DATABASE_URL is replaced by the size, so that each size has its own
database. Requests go through Django's test client in-process, signed in as the demo persona who
uses the page (the coach for /today/, the sponsor for /sponsor/, the administrator for the
programme overview), so the time is the server's own: URL routing, middleware, policy, queries
and template rendering, without network or browser. The selectors behind the coaching pages are
also timed on their own. Results are printed and written to bench/results/<size>-<database>.json.

Instructional coaching (issue 4) is measured as the generator's benchmark personas
(`generator.BENCH_PERSONAS`): on the large dataset a coach with 40 teachers (`ic-coach`) and
that coach's teacher with 300 observations (`ic-teacher`); on the demo dataset coach@ and
ic.teacher@. Saving an observation draft (the autosave, `observation_draft`) is timed as POSTs
of the JSON the page's script sends, each naming the revision the last one returned; the draft
is discarded afterwards. Its median must be under 30 ms: the run says whether it is.

Peer coaching, meetings and calendars (issue 5): the programme administrator's cadence overview
(`cadence_overview`, default filter and off track only, the peer programme's own overview, and
`/api/cadence`) over every engagement of the district (3,000 on the large dataset, with 100,000
meetings), and the calendar feed of coach@ (`calendar_feed`, the meetings they are invited to
from 90 days ago onwards: about 560 on the large dataset, 80 in the demo), fetched with a token
from `meetings.calendar.feed_create`, as a calendar app does (no session): once as served again
(the file kept in the cache under its fingerprint) and once built afresh (cache cleared before
each request).

Leadership for learning (issue 6): the school report (`report`, as leader@ of the first school,
its latest closed survey, with the district comparison; and the open survey's live results),
the same through `GET /api/surveys/<id>/report`, the growth page, the district report
(`/reports/district/?organisation=&instrument=`, as district@ and admin@) and the improvement
district view (`improvement_district`), each only when its URL exists. Beside them, the floor:
the plain SQL GROUP BY over surveys_answer that computes the same counts (one school; and per
administration over every school's latest closed survey), timed on a raw cursor, and the engine
called directly (`surveys.engine.school_report`, `district_report`), reported as a ratio to its
floor (target: 1.5). Submitting one survey page (POST `respond_page`, one domain's answers,
saved to the encrypted draft) and the final submission (POST `respond_review`, writing the
response) are timed on fresh invitations of a bench-only administration, deleted afterwards;
the page's median must be under 30 ms.

Coaching the coaches (issue 7, `--coaches-only` for these rows alone): as admin@, the coach
overview of the school-based coaching programme (`coach_overview`, 150 coaches at scale; first
page and sorted by computed columns), its CSV export, `GET /api/programmes/<id>/coaches`, coach@'s
development page (`coach_development`) as admin@, coach@ and lead@, `GET /api/coaches/<id>`, and
the batch selectors for every coach (`responsiveness_of`, `profile_latest`, `feedback_trends`,
`coaches.overview.coach_overview`).

The query count of every page must not grow with the data: after a run, the counts are compared
with those of the other size (same database engine) when its results exist, and the run fails
(exit status 1) if any differs. A p95 above the 50 ms target is flagged with "!".
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
SIZES = ("demo", "large")
TARGET_MS = 50.0
DRAFT_TARGET_MS = 30.0  # median server time of saving an observation draft (issue 4)
SUBMIT_TARGET_MS = 30.0  # median server time of submitting one survey page (issue 6)
FLOOR_RATIO = 1.5  # a survey report within this many times its plain SQL GROUP BY (issue 6)
SLOW_S = 1.0  # a call slower than this is timed 3 times only
DOMAIN = "demo.coachloop.test"


def database_url(size: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url.replace("{size}", size)
    return f"sqlite:///{ROOT / 'var' / f'bench-{size}.sqlite3'}"


def measure(
    run: Callable[[Any], Any], requests: int, prepare: Callable[[], Any] = lambda: None
) -> dict[str, Any]:
    """The queries of one call, and the median and p95 time of `requests` calls. `prepare`
    runs before each call, outside the timing and the count (fresh objects, as a new request
    would load them)."""
    from django.db import connection

    executed: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append(sql)
        return execute(sql, params, many, context)

    args = prepare()
    started = time.perf_counter()
    run(args)  # warm up: caches, compiled templates, the session
    if time.perf_counter() - started > SLOW_S:
        requests = min(requests, 3)  # far off the target already: a few timings say enough
    args = prepare()
    # execute_wrapper survives the reconnect at each request's end (a query log would not)
    with connection.execute_wrapper(count):
        run(args)
    times = []
    for _ in range(requests):
        args = prepare()
        started = time.perf_counter()
        run(args)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)] if len(times) >= 20 else times[-1]
    return {
        "queries": len(executed),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "timed": len(times),
    }


def get(client: Any, url: str, _args: Any) -> Any:
    return client.get(url)


def seen_now(client: Any) -> Callable[[], None]:
    """Before each call: mark the session as seen now, so that the session middleware's write
    of the activity time (at most once a minute) never falls in a measured request; it would
    add queries at random."""

    def prepare() -> None:
        session = client.session
        session["coachloop_seen"] = int(time.time())
        session.save()

    return prepare


class DraftSaver:
    """POSTs the autosave's JSON to `observation_draft`, each time naming the revision the
    last save returned, as the page's script does; a refused save stops the run."""

    def __init__(self, client: Any, url: str, revision: int, criteria: int) -> None:
        self.client = client
        self.url = url
        self.revision = revision
        self.saves = 0
        self.moments = [
            {
                "at": f"00:{2 + 2 * n:02d}:{(17 * n) % 60:02d}",
                "text": text,
                "criterion": (n % criteria) if criteria and n % 3 != 2 else None,
                "evidence": ("for" if n % 2 == 0 else "against")
                if criteria and n % 3 != 2
                else None,
            }
            for n, text in enumerate(
                [
                    "Task on the board; students started within a minute.",
                    "Instruction given in three steps, then a pause to scan.",
                    "Two students at the back needed the steps again.",
                    "Narrated the table that was ready first.",
                    "Transition to groups took about fifty seconds.",
                ]
            )
        ]

    def __call__(self, _args: Any) -> Any:
        self.saves += 1
        body = {
            "notes": "Brief visit focused on the current step. " * 8 + f"(save {self.saves})",
            "moments": self.moments[: 1 + self.saves % len(self.moments)],
            "duration_minutes": 12,
            "base": self.revision,
        }
        response = self.client.post(
            self.url, data=json.dumps(body), content_type="application/json"
        )
        if response.status_code != 200:
            raise SystemExit(
                f"saving the draft failed: {response.status_code} {response.content!r}"
            )
        self.revision = response.json()["revision"]
        return response


def run_size(
    size: str, requests: int, *, surveys_only: bool = False, coaches_only: bool = False
) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = database_url(size)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "coachloop.settings"
    (ROOT / "var").mkdir(exist_ok=True)

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from coachloop.accounts.models import User
    from coachloop.actionsteps.models import ActionStep, Cycle, PracticeAttempt
    from coachloop.demo.generator import BENCH_PERSONAS, generate
    from coachloop.engagements import selectors
    from coachloop.engagements.models import Engagement, FormResponse, ParticipantRole, Programme
    from coachloop.engagements.models import StepProgress as Step
    from coachloop.meetings.models import Meeting, MeetingParticipant
    from coachloop.observations import services as observation_services
    from coachloop.observations.models import Observation
    from coachloop.organisations.models import Organisation
    from coachloop.plans.models import Plan
    from coachloop.portfolios.models import PortfolioEntry

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # as bin/run does
    generated = None
    if not Organisation.objects.exists():
        started = time.perf_counter()
        generate(size=size, seed=2026)
        generated = round(time.perf_counter() - started, 1)
        print(f"generated the {size} dataset in {generated} s")
    elif not Organisation.objects.filter(sourced_id=f"demo-district-{size}").exists():
        sys.exit(
            f"{connection.settings_dict['NAME']} holds another dataset than '{size}'. Give each "
            "size its own database: put {size} in DATABASE_URL, or use an empty one."
        )

    def persona(name: str) -> User:
        return User.objects.get(email=f"{name}@{DOMAIN}")

    if surveys_only:  # issue 6's rows alone (--surveys-only), written apart from the full run
        return run_surveys_only(size, requests, persona)
    if coaches_only:  # issue 7's rows alone (--coaches-only), written apart from the full run
        return run_coaches_only(size, requests, persona)

    coach = persona("coach")
    coached = Engagement.objects.filter(
        participants__user=coach, participants__role=ParticipantRole.COACH
    ).order_by("pk")
    # coach@'s second engagement is in its last phase: every phase with its steps and records
    engagement = coached[1]
    teachers = Engagement.objects.filter(participants__user=persona("teacher")).get()
    programme = Programme.objects.filter(name__startswith="Teacher performance").get()

    # instructional coaching: the caseload's coach and the teacher with the longest history
    coach_email, teacher_email = BENCH_PERSONAS[size]
    users = {
        "ic-coach": User.objects.get(email=coach_email),
        "ic-teacher": User.objects.get(email=teacher_email),
    }
    cycles = Engagement.objects.get(
        participants__user=users["ic-teacher"],
        participants__role=ParticipantRole.COACHEE,
        playbook_version__playbook__key="instructional-coaching",
    )
    current_step = ActionStep.objects.get(engagement=cycles, status="current")
    cycles_programme = cycles.programme
    peer_programme = Programme.objects.filter(playbook__key="peer-coaching").first()

    def optional(label: str, name: str, *args: Any, query: str = "") -> list[tuple[str, str, str]]:
        """A page of issue 5 when its URL exists (built by other parts of the issue)."""
        try:
            return [(label, "admin", reverse(name, args=args) + query)]
        except NoReverseMatch:
            print(f"  skipped {label}: no URL named {name!r} yet", file=sys.stderr)
            return []

    # (label, persona, url): the label names the page, the same for every size
    pages = [
        ("/dashboard/", "admin", "/dashboard/"),
        ("/people/", "admin", "/people/"),
        ("/people/?q=ann", "admin", "/people/?q=ann"),
        ("/api/people", "admin", "/api/people"),
        ("/api/me", "admin", "/api/me"),
        ("/organisations/", "admin", "/organisations/"),
        ("/today/", "coach", "/today/"),
        ("/today/", "leader", "/today/"),
        ("/engagements/<id>/", "coach", f"/engagements/{engagement.pk}/"),
        ("/engagements/<id>/", "teacher", f"/engagements/{teachers.pk}/"),
        ("/engagements/<id>/", "admin", f"/engagements/{engagement.pk}/"),
        ("/programmes/<id>/", "admin", f"/programmes/{programme.pk}/"),
        ("/sponsor/", "leader", "/sponsor/"),
        ("/sponsor/", "district", "/sponsor/"),
        ("/engagements/", "coach", "/engagements/"),
        ("/api/engagements/<id>", "coach", f"/api/engagements/{engagement.pk}"),
        ("/api/me/today", "coach", "/api/me/today"),
        ("/api/me/sponsoring", "district", "/api/me/sponsoring"),
        ("/api/programmes/<id>/overview", "admin", f"/api/programmes/{programme.pk}/overview"),
        # instructional coaching (issue 4)
        ("/caseload/", "ic-coach", reverse("caseload")),
        ("/caseload/?sort=observed", "ic-coach", reverse("caseload") + "?sort=observed"),
        ("/api/caseload", "ic-coach", "/api/caseload"),
        ("/caseload/export/ (csv)", "ic-coach", reverse("caseload_export")),
        (
            "/engagements/<id>/observations/",
            "ic-coach",
            reverse("observation_history", args=[cycles.pk]),
        ),
        (
            "/engagements/<id>/observations/?page=6",
            "ic-coach",
            reverse("observation_history", args=[cycles.pk]) + "?page=6",
        ),
        (
            "/engagements/<id>/observations/",
            "ic-teacher",
            reverse("observation_history", args=[cycles.pk]),
        ),
        (
            "/api/engagements/<id>/observations",
            "ic-coach",
            f"/api/engagements/{cycles.pk}/observations",
        ),
        (
            "/engagements/<id>/observations/export/",
            "ic-coach",
            reverse("observation_export", args=[cycles.pk]),
        ),
        (
            "/engagements/<id>/action-steps/<id>/evidence/",
            "ic-coach",
            reverse("action_step_evidence", args=[cycles.pk, current_step.pk]),
        ),
        ("/engagements/<id>/ (cycles)", "ic-coach", f"/engagements/{cycles.pk}/"),
        ("/today/", "ic-coach", "/today/"),
        ("/my-coaching/", "ic-teacher", reverse("my_coaching")),
        ("/api/my-coaching", "ic-teacher", "/api/my-coaching"),
        (
            "/programmes/<id>/cycles/",
            "admin",
            reverse("programme_cycles", args=[cycles_programme.pk]),
        ),
        (
            "/api/programmes/<id>/cycles",
            "admin",
            f"/api/programmes/{cycles_programme.pk}/cycles",
        ),
        # peer coaching and cadence (issue 5): every engagement of the district
        *optional("/cadence/", "cadence_overview"),
        *optional("/cadence/?status=off_track", "cadence_overview", query="?status=off_track"),
        ("/api/cadence", "admin", "/api/cadence"),
        ("/api/cadence?status=off_track", "admin", "/api/cadence?status=off_track"),
    ]
    if peer_programme is not None:
        pages += optional(
            "/programmes/<id>/cadence/ (peer)", "programme_cadence", peer_programme.pk
        )
    clients: dict[str, Client] = {}
    rows = []
    for label, who, url in pages:
        if who not in clients:
            clients[who] = Client(raise_request_exception=False)
            clients[who].force_login(users[who] if who in users else persona(who))
        client = clients[who]
        status = client.get(url).status_code
        row: dict[str, Any] = {"label": label, "persona": who, "url": url, "status": status}
        if status == 200:
            row.update(measure(functools.partial(get, client, url), requests, seen_now(client)))
        rows.append(row)
        print(f"  {label} as {who}: {row}", file=sys.stderr, flush=True)

    # Saving an observation draft: the autosave, as the coach's page sends it
    client = clients["ic-coach"]
    draft = observation_services.observation_start(actor=users["ic-coach"], engagement=cycles)
    saver = DraftSaver(
        client,
        reverse("observation_draft", args=[cycles.pk, draft.pk]),
        draft.revision,
        len(current_step.success_criteria),
    )
    try:
        row = {
            "label": "POST observation_draft",
            "persona": "ic-coach",
            "url": saver.url,
            "status": 200,
        }
        rows.append(row | measure(saver, max(requests, 50), seen_now(client)))
        print(f"  {rows[-1]}", file=sys.stderr, flush=True)
    finally:
        draft.refresh_from_db()
        observation_services.observation_discard(actor=users["ic-coach"], observation=draft)
    draft_median = rows[-1]["median_ms"]

    # The calendar feed of coach@ (about 560 meetings from 90 days ago on, at scale), fetched
    # without a session, as calendar apps do
    feed_count = None
    try:
        from coachloop.meetings import calendar as meeting_calendar
    except ImportError:
        print(
            "  skipped the calendar feed: coachloop.meetings.calendar is missing", file=sys.stderr
        )
    else:
        token = meeting_calendar.feed_create(users["ic-coach"])
        feed_count = meeting_calendar.feed_meetings(users["ic-coach"]).count()
        feed_url = reverse("calendar_feed", args=[token])
        anonymous = Client(raise_request_exception=False)
        for label, prepare in (
            ("calendar feed, 500 meetings", lambda: None),
            ("calendar feed, 500 meetings (built afresh)", cache.clear),
        ):
            status = anonymous.get(feed_url).status_code
            row = {"label": label, "persona": "ic-coach", "url": "calendar_feed", "status": status}
            if status == 200:
                row.update(measure(functools.partial(get, anonymous, feed_url), requests, prepare))
            rows.append(row)
            print(f"  {label}: {row}", file=sys.stderr, flush=True)

    # Leadership for learning (issue 6): reports, their SQL floor, the engine, the respondent
    survey_rows, survey_summary = bench_surveys(size, requests, clients, persona)
    rows += survey_rows
    # Coaching the coaches (issue 7): the coach overview of 150 coaches, its selectors
    coach_rows, coach_summary = bench_coaches(size, requests, clients, persona)
    rows += coach_rows

    # The selectors behind the coaching pages, on their own (fresh user and objects each call)
    def fresh(name: str, model: type[Any] | None = None, pk: int | None = None) -> Any:
        def prepare() -> tuple[User, Any]:
            user = User.objects.get(email=f"{name}@{DOMAIN}")
            obj = model.objects.get(pk=pk) if model is not None else None
            return user, obj

        return prepare

    def page_of(args: tuple[User, Engagement]) -> Any:
        page = selectors.engagement_page(user=args[0], engagement=args[1])
        return page

    selector_runs: list[tuple[str, str, Callable[[Any], Any], Callable[[], Any]]] = [
        (
            "today_for",
            "coach",
            lambda a: selectors.today_for(user=a[0]),
            fresh("coach"),
        ),
        (
            "today_for",
            "leader",
            lambda a: selectors.today_for(user=a[0]),
            fresh("leader"),
        ),
        ("engagement_page", "coach", page_of, fresh("coach", Engagement, engagement.pk)),
        (
            "programme_overview",
            "admin",
            lambda a: selectors.programme_overview(user=a[0], programme=a[1]),
            fresh("admin", Programme, programme.pk),
        ),
        (
            "sponsor_view",
            "leader",
            lambda a: selectors.sponsor_view(user=a[0]),
            fresh("leader"),
        ),
        (
            "sponsor_view",
            "district",
            lambda a: selectors.sponsor_view(user=a[0]),
            fresh("district"),
        ),
    ]
    for name, who, call, prepare in selector_runs:
        row = {"label": f"selectors.{name}", "persona": who, "url": "", "status": ""}
        rows.append(row | measure(call, requests, prepare))
        print(f"  {rows[-1]}", file=sys.stderr, flush=True)

    dataset = {
        "people": User.objects.count(),
        "schools": Organisation.objects.filter(kind="school").count(),
        "engagements": Engagement.objects.count(),
        "steps": Step.objects.count(),
        "open steps overdue": Step.objects.filter(
            status="open", due_on__lt=_today(), engagement__status="active"
        ).count(),
        "meetings": Meeting.objects.count(),
        "plans": Plan.objects.count(),
        "form answers": FormResponse.objects.count(),
        "portfolio entries": PortfolioEntry.objects.count(),
        "coach@ engagements": coached.count(),
        "action steps": ActionStep.objects.count(),
        "cycles": Cycle.objects.count(),
        "observations": Observation.objects.count(),
        "practice attempts": PracticeAttempt.objects.count(),
        "ic-coach teachers": Engagement.objects.filter(
            participants__user=users["ic-coach"],
            participants__role=ParticipantRole.COACH,
            playbook_version__playbook__key="instructional-coaching",
        ).count(),
        "ic-teacher observations": Observation.objects.filter(engagement=cycles).count(),
        "meeting participants": MeetingParticipant.objects.count(),
        "peer teams": Engagement.objects.filter(
            playbook_version__playbook__key="peer-coaching"
        ).count(),
        "engagements off track": Engagement.objects.filter(cadence_status="off_track").count(),
        "engagements at risk": Engagement.objects.filter(cadence_status="at_risk").count(),
        "ic-coach calendar feed meetings": feed_count if feed_count is not None else 0,
        **survey_summary.get("dataset", {}),
        **coach_summary.get("dataset", {}),
    }
    vendor = connection.vendor
    print(f"\n{size} dataset on {vendor}, {requests} timed requests per row:")
    print(", ".join(f"{v:,} {k}" for k, v in dataset.items()))
    print(
        f"{'page':<46} {'persona':<10} {'status':>6} {'queries':>8} {'median ms':>10} "
        f"{'p95 ms':>9} {'timed':>6}"
    )
    for r in rows:
        flag = "!" if r.get("p95_ms", 0) > TARGET_MS else " "
        print(
            f"{r['label']:<46} {r['persona']:<10} {r['status']!s:>6} {r.get('queries', '-')!s:>8} "
            f"{r.get('median_ms', '-')!s:>10} {r.get('p95_ms', '-')!s:>8}{flag} "
            f"{r.get('timed', '-')!s:>6}"
        )
    verdict = "under" if draft_median < DRAFT_TARGET_MS else "NOT under"
    print(
        f"\nsaving an observation draft: median {draft_median} ms, {verdict} the "
        f"{DRAFT_TARGET_MS:.0f} ms target"
    )
    for line in survey_summary.get("verdicts", []):
        print(line)
    result = {
        "size": size,
        "vendor": vendor,
        "generated_s": generated,
        "dataset": dataset,
        "requests": requests,
        "rows": rows,
        "surveys": survey_summary.get("ratios", {}),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{size}-{vendor}.json").write_text(json.dumps(result, indent=2))
    return result


class PagePoster:
    """POSTs one page of the survey as the respondent's browser does, and checks that it was
    taken (a redirect to the next page)."""

    def __init__(self, client: Any, url: str, data: dict[str, str], expect: int = 302) -> None:
        self.client = client
        self.url = url
        self.data = data
        self.expect = expect

    def __call__(self, args: Any) -> Any:
        url = args if isinstance(args, str) else self.url
        response = self.client.post(url, data=self.data)
        if response.status_code != self.expect:
            raise SystemExit(f"POST {url} answered {response.status_code}")
        return response


def run_surveys_only(size: str, requests: int, persona: Callable[[str], Any]) -> dict[str, Any]:
    from django.db import connection

    rows, summary = bench_surveys(size, requests, {}, persona)
    vendor = connection.vendor
    print(f"\n{size} dataset on {vendor}, {requests} timed requests per row (surveys only):")
    print(", ".join(f"{v:,} {k}" for k, v in summary.get("dataset", {}).items()))
    for r in rows:
        flag = "!" if r.get("p95_ms", 0) > TARGET_MS else " "
        print(
            f"{r['label']:<46} {r['persona']:<10} {r['status']!s:>6} {r.get('queries', '-')!s:>8} "
            f"{r.get('median_ms', '-')!s:>10} {r.get('p95_ms', '-')!s:>8}{flag} "
            f"{r.get('timed', '-')!s:>6}"
        )
    for line in summary.get("verdicts", []):
        print(line)
    result = {"size": size, "vendor": vendor, "requests": requests, "rows": rows}
    result["surveys"] = summary.get("ratios", {})
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{size}-{vendor}-surveys.json").write_text(json.dumps(result, indent=2))
    return result


class Pages:
    """Times pages as the demo personas, each with its own signed-in client, and skips a page
    whose URL does not exist (yet) with a note rather than failing the run."""

    def __init__(
        self,
        requests: int,
        clients: dict[str, Any],
        persona: Callable[[str], Any],
        rows: list[dict[str, Any]],
    ) -> None:
        self.requests = requests
        self.clients = clients
        self.persona = persona
        self.rows = rows

    def client_for(self, who: str) -> Any:
        from django.test import Client

        if who not in self.clients:
            self.clients[who] = Client(raise_request_exception=False)
            self.clients[who].force_login(self.persona(who))
        return self.clients[who]

    def page(self, label: str, who: str, url: str | None) -> None:
        from django.urls import Resolver404, resolve

        if url is None:
            return
        try:
            resolve(url.split("?")[0])
        except Resolver404:
            print(f"  skipped {label}: no URL {url} yet", file=sys.stderr)
            return
        client = self.client_for(who)
        status = client.get(url).status_code
        row: dict[str, Any] = {"label": label, "persona": who, "url": url, "status": status}
        if status == 200:
            row.update(
                measure(functools.partial(get, client, url), self.requests, seen_now(client))
            )
        self.rows.append(row)
        print(f"  {label} as {who}: {row}", file=sys.stderr, flush=True)

    @staticmethod
    def named(*names: str, args: tuple[Any, ...] = (), query: str = "") -> str | None:
        from django.urls import NoReverseMatch, reverse

        for name in names:
            try:
                return reverse(name, args=args) + query
            except NoReverseMatch:
                continue
        print(f"  skipped: no URL named {' or '.join(names)} yet", file=sys.stderr)
        return None


def bench_surveys(
    size: str, requests: int, clients: dict[str, Any], persona: Callable[[str], Any]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Issue 6's rows: report pages and API, the SQL floor, the engine, the respondent's
    submissions. Pages whose URL does not exist yet are skipped with a note."""
    from django.db import connection

    from coachloop.organisations.models import Organisation
    from coachloop.surveys.models import Administration, Answer, Instrument, Invitation, Response

    rows: list[dict[str, Any]] = []
    summary: dict[str, Any] = {"dataset": {}, "verdicts": [], "ratios": {}}
    instrument = Instrument.objects.filter(organisation=None, key="leadership-for-learning").first()
    district = Organisation.objects.filter(sourced_id=f"demo-district-{size}").first()
    leader = persona("leader")
    closed = (
        Administration.objects.filter(
            engagement__participants__user=leader,
            closed_at__isnull=False,
            previous__isnull=False,
            subject__isnull=True,
        )
        .order_by("-closed_at", "-pk")
        .first()
    )
    if instrument is None or district is None or closed is None:
        print("  skipped the survey rows: no Leadership for learning data", file=sys.stderr)
        return rows, summary
    live = Administration.objects.filter(
        organisation_id=closed.organisation_id, closed_at__isnull=True, subject__isnull=True
    ).first()
    summary["dataset"] = {
        "survey administrations": Administration.objects.count(),
        "survey invitations": Invitation.objects.count(),
        "survey responses": Response.objects.count(),
        "survey answers": Answer.objects.count(),
        "answers in the benchmarked report": Answer.objects.filter(administration=closed).count(),
    }

    pages = Pages(requests, clients, persona, rows)
    page, named = pages.page, pages.named

    district_query = f"?organisation={district.pk}&instrument={instrument.pk}"
    page("/surveys/<id>/report/", "leader", named("report", args=(closed.pk,)))
    page("/surveys/<id>/report/", "district", named("report", args=(closed.pk,)))
    if live is not None:
        page("/surveys/<id>/report/ (live)", "leader", named("report", args=(live.pk,)))
    page("/api/surveys/<id>/report", "leader", f"/api/surveys/{closed.pk}/report")
    page(
        "/surveys/<id>/growth/",
        "leader",
        named("report_growth", "growth", "administration_growth", args=(closed.pk,)),
    )
    page("/surveys/<id>/", "coach", named("administration_detail", args=(closed.pk,)))
    district_url = named("district_report", "report_district", query=district_query) or (
        "/reports/district/" + district_query
    )
    page("/reports/district/", "district", district_url)
    page("/reports/district/", "admin", district_url)
    page("/improvement/district/", "district", named("improvement_district"))
    page("/improvement/district/", "admin", named("improvement_district"))

    # The floor: the plain SQL GROUP BY that computes the same counts, on a raw cursor
    def raw(sql: str, params: list[Any]) -> Callable[[Any], Any]:
        def run(_args: Any) -> Any:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return run

    school_sql = (
        "SELECT role, item, value, complete, COUNT(*) FROM surveys_answer "
        "WHERE administration_id = %s GROUP BY role, item, value, complete"
    )
    # every school's latest closed school-wide survey of the instrument, as the district report
    latest: dict[int, int] = {}
    for org, pk in (
        Administration.objects.filter(
            version__instrument=instrument,
            subject__isnull=True,
            closed_at__isnull=False,
            organisation__path__startswith=district.path,
        )
        .order_by("organisation_id", "-closed_at", "-id")
        .values_list("organisation_id", "pk")
    ):
        latest.setdefault(org, pk)
    ids = sorted(latest.values())
    district_sql = (
        "SELECT administration_id, item, value, COUNT(*) FROM surveys_answer "  # noqa: S608
        f"WHERE administration_id IN ({', '.join(['%s'] * len(ids))}) "
        "GROUP BY administration_id, item, value"
    )
    summary["dataset"]["answers in the district report"] = Answer.objects.filter(
        administration_id__in=ids
    ).count()

    def timed(label: str, who: str, run: Callable[[Any], Any], prepare: Callable[[], Any]) -> Any:
        row = {"label": label, "persona": who, "url": "", "status": ""}
        rows.append(row | measure(run, requests, prepare))
        print(f"  {rows[-1]}", file=sys.stderr, flush=True)
        return rows[-1]

    try:
        from coachloop.surveys import engine
    except ImportError:
        engine = None  # type: ignore[assignment]
        print("  skipped the engine rows: coachloop.surveys.engine is missing", file=sys.stderr)

    def fresh_admin(pk: int) -> Callable[[], Any]:
        return lambda: Administration.objects.select_related("version", "organisation").get(pk=pk)

    floor = timed("SQL floor: school GROUP BY", "", raw(school_sql, [closed.pk]), lambda: None)

    def plain_rows(_args: Any) -> Any:
        """The floor and the rows the engine must read besides: each respondent's domain sums
        (domain scores are means of respondent means) and the comments."""
        with connection.cursor() as cursor:
            cursor.execute(school_sql, [closed.pk])
            counts = cursor.fetchall()
            cursor.execute(
                "SELECT role, wave, domains FROM surveys_response WHERE administration_id = %s",
                [closed.pk],
            )
            responses = [(r, w, json.loads(d) if isinstance(d, str) else d) for r, w, d in cursor]
            cursor.execute(
                "SELECT question, text FROM surveys_comment WHERE administration_id = %s",
                [closed.pk],
            )
            return counts, responses, cursor.fetchall()

    timed("SQL floor + responses and comments (plain)", "", plain_rows, lambda: None)
    if engine is not None and hasattr(engine, "school_report"):
        alone = timed(
            "engine.school_report (no comparison)",
            "",
            lambda a: engine.school_report(a, compare=False),
            fresh_admin(closed.pk),
        )
        full = timed(
            "engine.school_report", "", lambda a: engine.school_report(a), fresh_admin(closed.pk)
        )

        def cold(pk: int) -> Callable[[], Any]:
            """Nothing kept: the report computed from the answers, as on the first view after
            closing (the per-process memo of closed reports forgotten before each call)."""
            load = fresh_admin(pk)

            def prepare() -> Any:
                engine.forget()
                return load()

            return prepare

        alone_cold = timed(
            "engine.school_report (no comparison), cold",
            "",
            lambda a: engine.school_report(a, compare=False),
            cold(closed.pk),
        )
        full_cold = timed(
            "engine.school_report, cold", "", lambda a: engine.school_report(a), cold(closed.pk)
        )
        for name, row in (
            ("school report (no comparison)", alone),
            ("school report", full),
            ("school report (no comparison), cold", alone_cold),
            ("school report, cold", full_cold),
        ):
            ratio = row["median_ms"] / max(floor["median_ms"], 0.1)
            summary["ratios"][name] = round(ratio, 2)
            summary["verdicts"].append(
                f"{name}: engine {row['median_ms']} ms, SQL floor {floor['median_ms']} ms: "
                f"{ratio:.2f}x, {'within' if ratio <= FLOOR_RATIO else 'NOT within'} "
                f"{FLOOR_RATIO}x"
            )
        if hasattr(engine, "growth_for"):
            timed("engine.growth_for", "", lambda a: engine.growth_for(a), fresh_admin(closed.pk))
    floor = timed("SQL floor: district GROUP BY", "", raw(district_sql, ids), lambda: None)
    if engine is not None and hasattr(engine, "district_report"):

        def district_args() -> Any:
            """Cold: every school's figures read afresh (nothing kept from an earlier call)."""
            engine.forget()
            return (
                Organisation.objects.get(pk=district.pk),
                Instrument.objects.select_related("current").get(pk=instrument.pk),
            )

        row = timed(
            "engine.district_report",
            "",
            lambda a: engine.district_report(*a),
            district_args,
        )
        ratio = row["median_ms"] / max(floor["median_ms"], 0.1)
        summary["ratios"]["district report"] = round(ratio, 2)
        summary["verdicts"].append(
            f"district report ({len(ids)} schools): engine {row['median_ms']} ms, SQL floor "
            f"{floor['median_ms']} ms: {ratio:.2f}x, "
            f"{'within' if ratio <= FLOOR_RATIO else 'NOT within'} {FLOOR_RATIO}x"
        )

    rows += bench_respond(requests, closed, summary)
    return rows, summary


def print_rows(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        flag = "!" if r.get("p95_ms", 0) > TARGET_MS else " "
        print(
            f"{r['label']:<46} {r['persona']:<10} {r['status']!s:>6} {r.get('queries', '-')!s:>8} "
            f"{r.get('median_ms', '-')!s:>10} {r.get('p95_ms', '-')!s:>8}{flag} "
            f"{r.get('timed', '-')!s:>6}"
        )


def run_coaches_only(size: str, requests: int, persona: Callable[[str], Any]) -> dict[str, Any]:
    from django.db import connection

    rows, summary = bench_coaches(size, requests, {}, persona)
    vendor = connection.vendor
    print(f"\n{size} dataset on {vendor}, {requests} timed requests per row (coaches only):")
    print(", ".join(f"{v:,} {k}" for k, v in summary.get("dataset", {}).items()))
    print_rows(rows)
    result = {"size": size, "vendor": vendor, "requests": requests, "rows": rows}
    result["dataset"] = summary.get("dataset", {})
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{size}-{vendor}-coaches.json").write_text(json.dumps(result, indent=2))
    return result


def bench_coaches(
    size: str, requests: int, clients: dict[str, Any], persona: Callable[[str], Any]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Issue 7's rows: as admin@, the coach overview of the school-based coaching programme
    (150 coaches on the large dataset, 6 in the demo; its first page and sorted by a computed
    column), its CSV export, the API, and coach@'s development page (as admin@, coach@ and
    their lead coach lead@); then the batch selectors behind them, called directly for every
    coach of the programme. Pages whose URL does not exist yet are skipped with a note."""

    from coachloop.coaches.models import FeedbackRound
    from coachloop.demo.coaches import PROGRAMME_NAME
    from coachloop.engagements.models import Programme
    from coachloop.messaging.models import Contact, Message, Question
    from coachloop.rubrics.models import RubricScore

    rows: list[dict[str, Any]] = []
    summary: dict[str, Any] = {"dataset": {}}
    programme = Programme.objects.filter(name__startswith=PROGRAMME_NAME).first()
    if programme is None:
        print("  skipped the coach rows: no school-based coaching programme", file=sys.stderr)
        return rows, summary
    coach = persona("coach")
    coach_ids = list(programme.coaches.order_by("pk").values_list("pk", flat=True))
    summary["dataset"] = {
        "coaches in the overview": len(coach_ids),
        "their engagements": programme.engagements.count(),
        "questions": Question.objects.count(),
        "messages": Message.objects.count(),
        "check-ins": Contact.objects.count(),
        "feedback rounds": FeedbackRound.objects.count(),
        "profile assessments": RubricScore.objects.filter(about__isnull=False).count(),
    }

    pages = Pages(requests, clients, persona, rows)
    page = pages.page

    def named(name: str, *args: Any, query: str = "") -> str | None:
        return pages.named(name, args=args, query=query)

    overview = "/programmes/<id>/coaches/"
    page(overview, "admin", named("coach_overview", programme.pk))
    # sorted by a computed column: every coach's responsiveness is needed before the first page
    page(
        f"{overview}?sort=-median",
        "admin",
        named("coach_overview", programme.pk, query="?sort=-median"),
    )
    page(
        f"{overview}?sort=feedback",
        "admin",
        named("coach_overview", programme.pk, query="?sort=feedback"),
    )
    page(
        f"{overview}export/?format=csv",
        "admin",
        named("coach_overview_export", programme.pk, query="?format=csv"),
    )
    page("/api/programmes/<id>/coaches", "admin", f"/api/programmes/{programme.pk}/coaches")
    page(
        "/api/programmes/<id>/coaches?sort=-median",
        "admin",
        f"/api/programmes/{programme.pk}/coaches?sort=-median",
    )
    for who in ("admin", "coach", "lead"):
        page("/coaches/<id>/ (coach@)", who, named("coach_development", coach.pk))
    page("/api/coaches/<id> (coach@)", "admin", f"/api/coaches/{coach.pk}")

    # The batch selectors, on their own, for every coach of the programme (fresh objects each
    # call, as a request would load them)
    def fresh() -> tuple[Any, Any]:
        return persona("admin"), Programme.objects.get(pk=programme.pk)

    selector_runs: list[tuple[str, Callable[[Any], Any]]] = []
    try:
        from coachloop.messaging.responsiveness import responsiveness_of

        selector_runs.append(
            (
                "responsiveness_of (every coach)",
                lambda a: responsiveness_of(coach_ids, programme=a[1]),
            )
        )
    except ImportError:
        print("  skipped responsiveness_of: missing", file=sys.stderr)
    try:
        from coachloop.coaches.selectors import profile_latest

        selector_runs.append(
            (
                "profile_latest (every coach)",
                lambda a: profile_latest(a[0], coach_ids),
            )
        )
    except ImportError:
        print("  skipped profile_latest: missing", file=sys.stderr)
    try:
        from coachloop.coaches.feedback import feedback_trends

        selector_runs.append(
            (
                "feedback_trends (every coach)",
                lambda a: feedback_trends(a[0], coach_ids, a[1]),
            )
        )
    except ImportError:
        print("  skipped feedback_trends: missing", file=sys.stderr)
    try:
        from coachloop.coaches import overview as coach_overview

        selector_runs.append(
            (
                "overview.coach_overview (first page)",
                lambda a: coach_overview.coach_overview(a[0], a[1]),
            )
        )
        selector_runs.append(
            (
                "overview.coach_overview (?sort=-median)",
                lambda a: coach_overview.coach_overview(a[0], a[1], sort="-median"),
            )
        )
    except ImportError:
        print("  skipped overview.coach_overview: missing", file=sys.stderr)
    for label, call in selector_runs:
        row = {"label": label, "persona": "admin", "url": "", "status": ""}
        rows.append(row | measure(call, requests, fresh))
        print(f"  {rows[-1]}", file=sys.stderr, flush=True)
    return rows, summary


def bench_respond(requests: int, closed: Any, summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The respondent's submissions, on a bench-only administration at the same school (open
    today, no engagement) with fresh invitations of known tokens; deleted afterwards, with
    everything written to it."""
    from datetime import timedelta

    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from coachloop.surveys.models import Administration, Invitation

    try:
        from coachloop.surveys import services, tokens

        reverse("respond_page", args=["x" * 43, 1])
    except (ImportError, NoReverseMatch):
        print("  skipped the respondent rows: no respondent pages yet", file=sys.stderr)
        return []
    rows: list[dict[str, Any]] = []
    spec = closed.spec
    today = timezone.localdate()
    bench = Administration.objects.create(
        organisation_id=closed.organisation_id,
        version=closed.version,
        title="Benchmark: respondent pages (deleted after the run)",
        roles=list(spec.roles),
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
        visibility=closed.visibility,
        created_by=closed.created_by,
    )
    role = "teacher"
    pages = services.pages_for(spec, role)
    answers = {
        page.number: {item.key: 3 + (n % 3) - 1 for n, item in enumerate(page.items)}
        for page in pages
    }

    def invitation() -> str:
        token = tokens.new_token()
        Invitation.objects.create(
            organisation_id=bench.organisation_id,
            administration=bench,
            role=role,
            token_hash=tokens.token_hash(token),
        )
        return token

    try:
        client = Client(raise_request_exception=False)
        token = invitation()
        first = pages[0]
        data = {f"item-{key}": str(value) for key, value in answers[first.number].items()}
        data["go"] = "next"
        poster = PagePoster(client, reverse("respond_page", args=[token, first.number]), data)
        row = {
            "label": "POST respond_page (one survey page)",
            "persona": "respondent",
            "url": "respond_page",
            "status": 302,
        }
        rows.append(row | measure(poster, max(requests, 50)))
        print(f"  {rows[-1]}", file=sys.stderr, flush=True)
        median = rows[-1]["median_ms"]
        summary["verdicts"].append(
            f"submitting one survey page: median {median} ms, "
            f"{'under' if median < SUBMIT_TARGET_MS else 'NOT under'} the "
            f"{SUBMIT_TARGET_MS:.0f} ms target"
        )

        def ready() -> str:
            """A fresh link whose every page is answered (outside the timing)."""
            fresh = invitation()
            for page in pages:
                services.draft_save(
                    token=fresh,
                    page=page.number,
                    values=answers[page.number],
                    comments={q.key: "" for q in page.questions},
                )
            return reverse("respond_review", args=[fresh])

        final = PagePoster(client, "", {})
        row = {
            "label": "POST respond_review (the final submission)",
            "persona": "respondent",
            "url": "respond_review",
            "status": 302,
        }
        rows.append(row | measure(final, requests, ready))
        print(f"  {rows[-1]}", file=sys.stderr, flush=True)
    finally:
        bench.delete()
    return rows


def _today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


def compare(vendor: str, part: str = "") -> bool:
    """The query counts of each page, equal in every size measured on this database engine
    (`part`: "-coaches" for the results of --coaches-only)."""
    found = {}
    for size in SIZES:
        path = RESULTS / f"{size}-{vendor}{part}.json"
        if path.exists():
            found[size] = json.loads(path.read_text())
    if len(found) < 2:
        return True
    counts: dict[tuple[str, str], dict[str, Any]] = {}
    for size, result in found.items():
        for row in result["rows"]:
            counts.setdefault((row["label"], row["persona"]), {})[size] = row.get("queries")
    ok = True
    for (label, who), by_size in counts.items():
        values = set(by_size.values())
        if len(by_size) < len(found) or None in values:
            print(f"not measured in every size: {label} as {who}: {by_size}")
        elif len(values) > 1:
            ok = False
            print(f"query count differs between sizes: {label} as {who}: {by_size}")
    print(
        f"\nquery counts {'equal' if ok else 'NOT equal'} across "
        f"{' and '.join(found)} on {vendor} ({len(counts)} rows)"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=[*SIZES, "all"], default="demo")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per row")
    parser.add_argument(
        "--surveys-only",
        action="store_true",
        help="only issue 6's rows (survey reports, their SQL floor, the respondent's pages)",
    )
    parser.add_argument(
        "--coaches-only",
        action="store_true",
        help="only issue 7's rows (the coach overview of 150 coaches, its export and API, a "
        "coach's development page, the batch selectors); fails if query counts differ by size",
    )
    args = parser.parse_args()
    part = "-coaches" if args.coaches_only else ""
    if args.size == "all":
        # one process per size: Django's settings (the database) are set once per process
        for size in SIZES:
            command = [sys.executable, __file__, "--size", size, "--requests", str(args.requests)]
            command += ["--surveys-only"] if args.surveys_only else []
            command += ["--coaches-only"] if args.coaches_only else []
            if subprocess.run(command, check=False).returncode not in (0, 1):  # noqa: S603
                sys.exit(f"the {size} run failed")
        vendor = "postgresql" if database_url("demo").startswith("postgres") else "sqlite"
        sys.exit(0 if args.surveys_only or compare(vendor, part) else 1)
    result = run_size(
        args.size, args.requests, surveys_only=args.surveys_only, coaches_only=args.coaches_only
    )
    if args.surveys_only:
        sys.exit(0)
    sys.exit(0 if compare(result["vendor"], part) else 1)


if __name__ == "__main__":
    main()
