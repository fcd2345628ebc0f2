"""Playbooks: the coaching processes a user may choose, each with its versions."""

from typing import Any

from django.db.models import F
from django.http import Http404, HttpRequest
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from coachloop.access import policy
from coachloop.api import engagement_schemas as s
from coachloop.api.common import user_of
from coachloop.playbooks import selectors
from coachloop.playbooks.models import Playbook, PlaybookVersion

router = Router(tags=["playbooks"])


@router.get("/playbooks", response=list[s.PlaybookOut], summary="Playbooks you may use")
@paginate(PageNumberPagination)
def playbook_list(request: HttpRequest, q: str = "", archived: bool = True) -> Any:
    playbooks = selectors.playbook_list(user=user_of(request), query=q[:100]).annotate(
        current_version=F("current__number")
    )
    return playbooks if archived else playbooks.filter(is_archived=False)


@router.get(
    "/playbooks/{pk}",
    response=s.PlaybookDetailOut,
    summary="A playbook: its current definition and its versions",
)
def playbook_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    playbook = policy.get_visible_or_404(user_of(request), Playbook, pk)
    current = playbook.current
    return {
        **_fields(playbook),
        "current_version": current.number if current else None,
        "version": current,
        "versions": list(selectors.playbook_versions(playbook=playbook)),
    }


@router.get(
    "/playbooks/{pk}/versions/{number}",
    response=s.PlaybookVersionOut,
    summary="One version of a playbook (engagements keep the version they started with)",
)
def playbook_version(request: HttpRequest, pk: int, number: int) -> PlaybookVersion:
    playbook = policy.get_visible_or_404(user_of(request), Playbook, pk)
    version = selectors.playbook_version(playbook=playbook, number=number)
    if version is None:
        raise Http404
    return version


def _fields(playbook: Playbook) -> dict[str, Any]:
    return {
        "id": playbook.pk,
        "key": playbook.key,
        "name": playbook.name,
        "organisation_id": playbook.organisation_id,
        "is_builtin": playbook.is_builtin,
        "is_archived": playbook.is_archived,
        "based_on_id": playbook.based_on_id,
    }
