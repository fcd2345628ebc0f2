"""Navigation by role, computed once per request from the policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.actionsteps.caseload import cycle_versions
from coachloop.coaches.models import FeedbackRound
from coachloop.engagements.models import (
    SPONSOR_ROLES,
    Engagement,
    EngagementStatus,
    Participant,
    ParticipantRole,
    Programme,
)
from coachloop.organisations.models import Role


def nav_flags(user: User) -> dict[str, bool]:
    """Which coaching pages the main navigation offers the user: one query, cached on the user
    object for the rest of the request.

    - today: they take part in an engagement, or hold a coach role;
    - programmes (and playbooks): they administer programmes or coach in one;
    - sponsor: they sponsor or follow an engagement (sponsor, district representative);
    - caseload: they coach an active instructional engagement (its playbook has a `cycle`);
    - my_coaching: they are the teacher (coachee) of an instructional engagement;
    - surveys: they take part in an engagement, or lead a school, coach, administer or represent a
      district (survey administrations and reports, school improvement plans);
    - district: they administer programmes or represent a district (views across schools);
    - coaches: they administer programmes (the coach overview);
    - my_development: they are the coach developed in a coach-development engagement, or
      coaching-experience feedback rounds are about them.
    """
    cached: dict[str, bool] | None = user.__dict__.get("_coachloop_nav")
    if cached is not None:
        return cached
    roles = policy.roles_of(user)
    me = OuterRef("pk")
    instructional = Participant.objects.filter(
        user=me, engagement__playbook_version__in=cycle_versions()
    )
    found = (
        User.objects.filter(pk=user.pk)
        .annotate(
            takes_part=Exists(Participant.objects.filter(user=me)),
            sponsors=Exists(Participant.objects.filter(user=me, role__in=SPONSOR_ROLES)),
            administers=Exists(Programme.administrators.through.objects.filter(user=me)),
            coaches=Exists(Programme.coaches.through.objects.filter(user=me)),
            caseload=Exists(
                instructional.filter(
                    role=ParticipantRole.COACH, engagement__status=EngagementStatus.ACTIVE
                )
            ),
            my_coaching=Exists(instructional.filter(role=ParticipantRole.COACHEE)),
            developed=Exists(
                Participant.objects.filter(
                    user=me,
                    role=ParticipantRole.COACHEE,
                    engagement__in=Engagement.objects.filter(policy.DEVELOPMENT),
                )
            ),
            feedback_about=Exists(FeedbackRound.objects.filter(coach=me)),
        )
        .values(
            "takes_part",
            "sponsors",
            "administers",
            "coaches",
            "caseload",
            "my_coaching",
            "developed",
            "feedback_about",
        )
        .first()
    )
    row: dict[str, Any] = dict(found) if found else {}
    flags = {
        "today": bool(row.get("takes_part")) or Role.COACH in roles,
        "programmes": Role.PROGRAMME_ADMIN in roles
        or bool(row.get("administers"))
        or bool(row.get("coaches")),
        "sponsor": bool(row.get("sponsors")),
        # the cadence overview: programme administrators
        "cadence": Role.PROGRAMME_ADMIN in roles or bool(row.get("administers")),
        "caseload": bool(row.get("caseload")),
        "my_coaching": bool(row.get("my_coaching")),
        # surveys, their reports and school improvement plans
        "surveys": bool(row.get("takes_part"))
        or bool(roles & {Role.PROGRAMME_ADMIN, Role.COACH, Role.SCHOOL_LEADER, Role.DISTRICT_REP}),
        # district views across schools: programme administrators and district representatives
        "district": bool(roles & {Role.PROGRAMME_ADMIN, Role.DISTRICT_REP}),
        # the coach overview of the programmes they manage; a coach's own development page
        "coaches": Role.PROGRAMME_ADMIN in roles or bool(row.get("administers")),
        "my_development": bool(row.get("developed")) or bool(row.get("feedback_about")),
    }
    user.__dict__["_coachloop_nav"] = flags
    return flags


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": set()}
    roles = policy.roles_of(user)
    flags = nav_flags(user)
    return {
        "nav_roles": roles,
        "nav_is_admin": Role.PROGRAMME_ADMIN in roles,
        "nav_role_labels": [label for value, label in Role.choices if value in roles],
        "nav_today": flags["today"],
        "nav_programmes": flags["programmes"],
        "nav_sponsor": flags["sponsor"],
        "nav_cadence": flags["cadence"],
        "nav_caseload": flags["caseload"],
        "nav_my_coaching": flags["my_coaching"],
        "nav_surveys": flags["surveys"],
        "nav_district": flags["district"],
        "nav_coaches": flags["coaches"],
        "nav_my_development": flags["my_development"],
    }
