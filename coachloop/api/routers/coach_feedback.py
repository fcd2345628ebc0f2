"""Coaching-experience feedback (seed 003). The same services, selectors and policy as the pages:
a round you may not see answers 404; its results come from the anonymity engine only, and a
round under k answers 200 with `withheld: true` and the engine's message, never how many
answered. There is no result by coachee or engagement."""

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.api.common import person, user_of
from coachloop.coaches import feedback
from coachloop.coaches.models import FeedbackReply
from coachloop.engagements.models import Programme
from coachloop.lib.errors import DomainError
from coachloop.surveys import engine

router = Router(tags=["coach-feedback"])


class ReplyIn(Schema):
    text: str = Field(description="What the coach will change; up to 4000 characters.")


class ReplyOut(Schema):
    round_id: int
    text: str
    author: dict[str, Any] | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_author(obj: FeedbackReply) -> dict[str, Any] | None:
        return person(obj.author)


def _reply(reply: FeedbackReply | None) -> dict[str, Any] | None:
    if reply is None:
        return None
    return {
        "text": reply.text,
        "created_at": reply.created_at.isoformat(),
        "updated_at": reply.updated_at.isoformat(),
    }


def _est(e: engine.Estimate | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {
        "mean": round(e.mean, 3),
        "low": None if e.low is None else round(e.low, 3),
        "high": None if e.high is None else round(e.high, 3),
        "n": e.n,
    }


def _summary(r: feedback.RoundResult) -> dict[str, Any]:
    fr = r.round
    return {
        "id": fr.pk,
        "programme_id": fr.programme_id,
        "coach_id": fr.coach_id,
        "period": fr.period,
        "starts_on": fr.starts_on.isoformat(),
        "ends_on": fr.ends_on.isoformat(),
        "status": r.status,
        "invited": fr.administration.invited_count,
        "response_rate": r.response_rate,
        "withheld": r.withheld,
        "message": r.message,
        "k": r.report.k,
        "overall": None if r.overall is None else round(r.overall, 3),
        "domains": [
            {"key": d.key, "title": d.title, "all": _est(d.overall)} for d in r.report.domains
        ]
        if r.shown
        else [],
        "reply": _reply(r.reply),
    }


def _round(request: HttpRequest, pk: int) -> Any:
    try:
        return feedback.round_or_404(user_of(request), pk)
    except DomainError:
        raise Http404 from None


@router.get(
    "/coaches/{pk}/feedback",
    response=list[dict[str, Any]],
    summary="A coach's feedback rounds, newest first (the coach, their leads, administrators)",
)
def coach_rounds(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    """Each round: period, status, invited, response rate (while open, or when results are
    shown), and when shown the overall and per-domain scores with 95% intervals and the reply;
    when withheld, `withheld: true` and the message."""
    user = user_of(request)
    coach = policy.visible(user, User, Action.FOLLOW_COACH).filter(pk=pk).first()
    if coach is None:
        raise Http404
    rounds = list(feedback.rounds_for(user, coach)[:200])
    return [_summary(r) for r in feedback.results_of(user, rounds)]


@router.get(
    "/feedback-rounds/{pk}",
    response=dict[str, Any],
    summary="One feedback round: its report when shown, else withheld with the reason",
)
def round_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The round's summary and, when shown, `report`: the engine's report (items, their
    distributions, comments from comment_k). Under k: `withheld: true`, `report: null`."""
    result = feedback.round_results(user_of(request), _round(request, pk))
    out = _summary(result)
    out["report"] = engine.as_dict(result.report) if result.shown else None
    return out


@router.put(
    "/feedback-rounds/{pk}/reply",
    response=ReplyOut,
    summary="The coach's reply to a closed round with results: what they will change",
)
def round_reply(request: HttpRequest, pk: int, payload: ReplyIn) -> FeedbackReply:
    """Only the round's coach (403 for others who see it); 409 while open or when withheld;
    saving again changes the reply."""
    return feedback.reply(user_of(request), _round(request, pk), payload.text)


@router.get(
    "/feedback-replies",
    response=list[ReplyOut],
    summary="The coaches' replies you may read (a coachee: your coaches')",
)
def replies(request: HttpRequest) -> Any:
    return feedback.replies_for(user_of(request)).select_related("author")[:200]


@router.get(
    "/programmes/{pk}/coach-feedback",
    response=dict[str, Any],
    summary="Trends across a programme's coaches per period and per coach (administrators)",
)
def programme_trends(request: HttpRequest, pk: int, q: str = "") -> dict[str, Any]:
    """Per period the mean of the coaches' shown overall scores and how many coaches were shown;
    per coach the overall score per period (null: withheld or no round)."""
    user = user_of(request)
    programme = policy.visible(user, Programme, Action.MANAGE).filter(pk=pk).first()
    if programme is None:
        raise Http404
    trends = feedback.programme_trends(user, programme, q.strip()[:100])
    return {
        "programme_id": programme.pk,
        "periods": [
            {
                "period": f.period,
                "mean": None if f.mean is None else round(f.mean, 3),
                "coaches_shown": f.coaches,
            }
            for f in trends.across
        ],
        "coaches": [
            {
                "coach": person(c.coach),
                "points": [
                    {"period": p, "mean": None if m is None else round(m, 3)}
                    for p, m in zip(trends.periods, c.by_period, strict=True)
                ],
                "change": None if c.trend.change is None else round(c.trend.change, 3),
            }
            for c in trends.coaches
        ],
    }
