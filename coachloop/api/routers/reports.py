"""Reports API (issue 6): a survey's report, its growth, and the district report, serialized
from the one aggregation engine (surveys.engine) exactly as the pages show them. An
administration you may not see answers 404; no field carries a suppressed figure or its n."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router

from coachloop.access import policy
from coachloop.api.common import user_of
from coachloop.surveys import engine
from coachloop.surveys.models import Administration

router = Router(tags=["reports"])


def _administration(request: HttpRequest, pk: int) -> Administration:
    try:
        return (
            policy.administrations_visible_to(user_of(request))
            .select_related("version", "organisation")
            .get(pk=pk)
        )
    except Administration.DoesNotExist:
        raise Http404 from None


@router.get("/surveys/{pk}/report", response=dict[str, Any], summary="A survey's report")
def report(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The report: state, response rate, role cells, domains and items with 95% intervals and
    distributions, alpha, strengths and target areas, self versus others, comments, district.
    Figures under the anonymity threshold are absent or null, never with their n."""
    return engine.as_dict(engine.school_report(_administration(request, pk)))


@router.get("/surveys/{pk}/growth", response=dict[str, Any], summary="Growth since last time")
def growth(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The change per domain and item since the previous administration (Welch 95% interval,
    Cohen's d), and the domain scores over the chain of administrations."""
    administration = _administration(request, pk)
    return engine.growth_dict(
        engine.growth_for(administration), engine.growth_series(administration)
    )


@router.get("/reports/district", response=dict[str, Any], summary="District report")
def district(request: HttpRequest, organisation: int, instrument: int) -> dict[str, Any]:
    """Each school under the organisation with its latest closed administration of the
    instrument; schools under the threshold are "not shown", without n."""
    user = user_of(request)
    org = policy.organisations_overseen_by(user).filter(pk=organisation).first()
    ins = (
        policy.instruments_visible_to(user)
        .filter(pk=instrument, current__isnull=False)
        .select_related("current")
        .first()
    )
    if org is None or ins is None:
        raise Http404
    return engine.district_dict(engine.district_report(org, ins))
