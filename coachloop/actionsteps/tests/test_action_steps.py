"""Action steps: set from the library or written by the coach, one current step per teacher (the
playbook's limit) with a clear refusal or a replacement in one go, statuses with dates, study
marking the cycle, resources; who may do what (403) and see what (404); the pages and the API."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from coachloop.access.models import AuditEvent
from coachloop.actionsteps import services
from coachloop.actionsteps.models import (
    ActionStep,
    ActionStepResource,
    ActionStepStatus,
    Cycle,
    LibraryCategory,
    LibraryStep,
)
from coachloop.engagements.models import EngagementStatus, StepProgress, StepStatus
from coachloop.lib.errors import DomainError
from coachloop.testing.api import Api

CRITERIA = ["Waits three seconds", "Calls on a non-volunteer"]


@pytest.fixture(autouse=True)
def _tom_is_tom(db, request):
    """The messages name the teacher by given name: make it Tom's."""
    if "world" in request.fixturenames:
        world = request.getfixturevalue("world")
        world.tom.given_name = "Tom"
        world.tom.save()


@pytest.fixture
def library_step(world):
    category = LibraryCategory.objects.create(
        organisation=world.district,
        title="Questioning",
        description="Every student thinks hard about the content.",
    )
    return LibraryStep.objects.create(
        organisation=world.district,
        category=category,
        title="Wait after asking a question",
        success_criteria=CRITERIA,
        model="The teacher counts to four silently.",
        non_examples="The teacher answers their own question.",
        resources=[{"title": "Wait time", "url": "https://example.org/wait"}],
    )


def _create(world, engagement, **kwargs):
    values = {"title": "Greet students at the door", "success_criteria": ["Greets every student"]}
    values.update(kwargs)
    return services.action_step_create(actor=world.cora, engagement=engagement, **values)


# --- Services ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_step_from_the_library_copies_it_and_opens_the_cycle(world, instructional, library_step):
    step = services.action_step_create(
        actor=world.cora,
        engagement=instructional,
        title="",
        success_criteria=[],
        library_step=library_step,
    )
    assert step.title == "Wait after asking a question"
    assert step.success_criteria == CRITERIA
    assert step.model == "The teacher counts to four silently."
    assert step.non_examples == "The teacher answers their own question."
    assert step.goal == "Every student thinks hard about the content."
    assert step.coachee == world.tom
    assert step.status == ActionStepStatus.CURRENT
    assert step.visibility == "team"
    assert step.started_on == timezone.localdate()
    cycle = Cycle.objects.get(engagement=instructional)
    assert cycle.action_step == step
    assert cycle.number == 1
    # The playbook's "action step" step is done, and the change is audited.
    kinds = {s.step_key: s.status for s in StepProgress.objects.filter(engagement=instructional)}
    spec = instructional.spec
    keys = [s.key for _p, s in spec.steps() if s.kind == "action_step"]
    assert keys
    assert all(kinds[k] == StepStatus.DONE for k in keys)
    assert AuditEvent.objects.filter(action="action_step.create", target_id=str(step.pk)).exists()


@pytest.mark.django_db
def test_a_coach_writes_their_own_step_and_whitespace_is_cleaned(world, instructional):
    step = _create(
        world,
        instructional,
        title="  Use a   countdown  ",
        success_criteria=["  Counts down from five ", "", "Waits at zero"],
        goal="Calm starts",
    )
    assert step.title == "Use a countdown"
    assert step.success_criteria == ["Counts down from five", "Waits at zero"]
    assert step.library_step is None
    assert step.goal == "Calm starts"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "criteria", "field", "words"),
    [
        ("", ["x"], "title", "Name the action step"),
        ("x" * 301, ["x"], "title", "under 300"),
        ("Fine", [], "success_criteria", "at least one success criterion"),
        ("Fine", [" ", ""], "success_criteria", "at least one success criterion"),
        ("Fine", [f"c{i}" for i in range(11)], "success_criteria", "10 success criteria"),
    ],
)
def test_bad_input_is_named_and_nothing_is_written(
    world, instructional, title, criteria, field, words
):
    with pytest.raises(DomainError) as refused:
        _create(world, instructional, title=title, success_criteria=criteria)
    assert words in refused.value.errors[field]
    assert not ActionStep.objects.exists()
    assert not Cycle.objects.exists()


@pytest.mark.django_db
def test_a_second_current_step_is_refused_with_the_current_ones_name(world, instructional):
    first = _create(world, instructional, title="Greet students at the door")
    with pytest.raises(DomainError) as refused:
        _create(world, instructional, title="Wait after asking")
    assert refused.value.status == 409
    assert refused.value.message == (
        "Tom already has a current action step, “Greet students at the door”. "
        "Mark it mastered or paused first."
    )
    assert list(ActionStep.objects.all()) == [first]


@pytest.mark.django_db
@pytest.mark.parametrize("replace", ["mastered", "paused"])
def test_replace_closes_the_current_step_in_the_same_go(world, instructional, replace):
    first = _create(world, instructional, title="Greet students at the door")
    second = _create(world, instructional, title="Wait after asking", replace=replace)
    first.refresh_from_db()
    assert first.status == replace
    assert (first.mastered_on if replace == "mastered" else first.paused_on) == (
        timezone.localdate()
    )
    assert second.status == ActionStepStatus.CURRENT
    assert ActionStep.objects.filter(status="current").count() == 1
    with pytest.raises(DomainError) as bad:
        _create(world, instructional, title="Third", replace="forgotten")
    assert bad.value.errors == {"replace": bad.value.message}


@pytest.mark.django_db
def test_statuses_carry_dates_and_current_again_respects_the_limit(world, instructional):
    step = _create(world, instructional)
    services.action_step_set_status(actor=world.cora, step=step, status="paused")
    step.refresh_from_db()
    assert (step.status, step.paused_on) == ("paused", timezone.localdate())
    other = _create(world, instructional, title="Wait after asking")
    with pytest.raises(DomainError) as refused:
        services.action_step_set_status(actor=world.cora, step=step, status="current")
    assert refused.value.status == 409
    assert "“Wait after asking”" in refused.value.message
    services.action_step_set_status(actor=world.cora, step=other, status="mastered")
    services.action_step_set_status(actor=world.cora, step=step, status="current")
    step.refresh_from_db()
    other.refresh_from_db()
    assert (step.status, step.paused_on) == ("current", None)
    assert (other.status, other.mastered_on) == ("mastered", timezone.localdate())
    with pytest.raises(DomainError):
        services.action_step_set_status(actor=world.cora, step=step, status="finished")


@pytest.mark.django_db
def test_only_the_engagements_coaches_set_steps(world, instructional, library_step):
    for person in (world.tom, world.lena, world.ada, world.dan, world.sam, world.bea):
        with pytest.raises(PermissionDenied):
            services.action_step_create(
                actor=person, engagement=instructional, title="x", success_criteria=["y"]
            )
    step = _create(world, instructional)
    with pytest.raises(PermissionDenied):
        services.action_step_set_status(actor=world.tom, step=step, status="mastered")
    assert not ActionStep.objects.exclude(pk=step.pk).exists()


@pytest.mark.django_db
def test_a_library_step_of_another_tenant_is_refused(world, instructional):
    category = LibraryCategory.objects.create(organisation=world.faraway, title="Theirs")
    theirs = LibraryStep.objects.create(
        organisation=world.faraway, category=category, title="Secret", success_criteria=["x"]
    )
    with pytest.raises(DomainError) as refused:
        services.action_step_create(
            actor=world.cora,
            engagement=instructional,
            title="",
            success_criteria=[],
            library_step=theirs,
        )
    assert refused.value.field == "library_step"


@pytest.mark.django_db
def test_playbooks_without_cycles_and_completed_engagements_have_no_new_steps(world, instructional):
    with pytest.raises(DomainError) as no_cycle:
        _create(world, world.engagement)  # performance coaching: no cycle section
    assert no_cycle.value.status == 409
    assert "no coaching cycle" in no_cycle.value.message
    instructional.status = EngagementStatus.COMPLETED
    instructional.save()
    with pytest.raises(DomainError) as done:
        _create(world, instructional)
    assert done.value.status == 409


@pytest.mark.django_db
def test_studying_marks_the_cycle_for_coach_and_teacher(world, instructional):
    step = _create(world, instructional)
    day = datetime.date(2026, 9, 10)
    cycle = services.action_step_studied(actor=world.tom, step=step, on=day)
    assert cycle.studied_on == day
    assert Cycle.objects.get(engagement=instructional).studied_on == day
    with pytest.raises(PermissionDenied):
        services.action_step_studied(actor=world.lena, step=step)
    services.action_step_set_status(actor=world.cora, step=step, status="mastered")
    with pytest.raises(DomainError) as not_current:
        services.action_step_studied(actor=world.cora, step=step)
    assert not_current.value.status == 409


@pytest.mark.django_db
def test_resources_are_linked_at_the_steps_visibility(world, instructional):
    step = _create(world, instructional, visibility="private")
    resource = services.action_step_add_resource(
        actor=world.cora, step=step, title="Video", url="https://example.org/v"
    )
    assert resource.visibility == "private"
    assert ActionStepResource.objects.filter(action_step=step, resource=resource).exists()
    with pytest.raises(PermissionDenied):  # Tom can't read a private step of Cora's
        services.action_step_add_resource(
            actor=world.tom, step=step, title="Mine", url="https://example.org/m"
        )
    with pytest.raises(DomainError):
        services.action_step_add_resource(actor=world.cora, step=step, title="Nothing")


# --- Pages ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cora_picks_a_library_step_and_tom_sees_it_lena_does_not(
    world, instructional, library_step, signed_in
):
    client = signed_in(world.cora)
    new_url = reverse("action_step_new", args=[instructional.pk])
    page = client.get(new_url + "?q=wait").content.decode()
    assert "Questioning" in page
    assert "Wait after asking a question" in page
    assert "No library step matches" in client.get(new_url + "?q=zebra").content.decode()
    page = client.get(new_url + f"?library={library_step.pk}").content.decode()
    assert "Waits three seconds\nCalls on a non-volunteer" in page
    response = client.post(
        new_url + f"?library={library_step.pk}",
        {
            "title": "Wait after asking a question",
            "success_criteria": "Waits three seconds\r\nCalls on a non-volunteer\r\n",
            "model": "Counts to four.",
            "visibility": "team",
            "library_step": library_step.pk,
            "next": f"/engagements/{instructional.pk}/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/engagements/{instructional.pk}/"
    step = ActionStep.objects.get()
    assert step.library_step == library_step
    assert step.success_criteria == CRITERIA

    list_url = reverse("action_step_list", args=[instructional.pk])
    tom = signed_in(world.tom).get(list_url).content.decode()
    assert "Wait after asking a question" in tom
    lena = signed_in(world.lena).get(list_url).content.decode()
    assert "Wait after asking a question" not in lena
    assert "No action steps you can read." in lena
    assert signed_in(world.lena).get(step.get_absolute_url()).status_code == 404
    assert signed_in(world.bea).get(list_url).status_code == 404


@pytest.mark.django_db
def test_the_form_keeps_what_was_typed_and_offers_to_close_the_current_step(
    world, instructional, signed_in
):
    _create(world, instructional, title="Greet students at the door")
    client = signed_in(world.cora)
    url = reverse("action_step_new", args=[instructional.pk])
    typed = {"title": "Use a countdown", "success_criteria": "Counts down", "visibility": "team"}
    response = client.post(url, typed)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Tom already has a current action step, “Greet students at the door”." in page
    assert 'value="Use a countdown"' in page
    assert "Counts down</textarea>" in page
    assert 'value="mastered"' in page
    response = client.post(url, {**typed, "replace": "mastered"})
    assert response.status_code == 302
    assert ActionStep.objects.get(title="Greet students at the door").status == "mastered"
    # an empty form: each problem on its field, nothing typed lost
    response = client.post(url, {"title": "", "success_criteria": "", "visibility": "team"})
    assert response.status_code in (409, 422)
    assert "Name the action step" in response.content.decode()


@pytest.mark.django_db
def test_an_unsafe_next_is_ignored(world, instructional, signed_in):
    client = signed_in(world.cora)
    url = reverse("action_step_new", args=[instructional.pk])
    response = client.post(
        url,
        {
            "title": "Use a countdown",
            "success_criteria": "Counts down",
            "visibility": "team",
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == ActionStep.objects.get().get_absolute_url()


@pytest.mark.django_db
def test_only_coaches_open_the_new_step_page(world, instructional, signed_in):
    url = reverse("action_step_new", args=[instructional.pk])
    assert signed_in(world.tom).get(url).status_code == 403
    assert signed_in(world.ben).get(url).status_code == 404


@pytest.mark.django_db
def test_the_study_page_studies_adds_resources_and_changes_status(
    world, instructional, library_step, signed_in
):
    step = services.action_step_create(
        actor=world.cora,
        engagement=instructional,
        title="",
        success_criteria=[],
        library_step=library_step,
    )
    tom = signed_in(world.tom)
    page = tom.get(step.get_absolute_url()).content.decode()
    for text in (
        "What effective practice looks like",
        "The teacher counts to four silently.",
        "Non-examples",
        "How it fits the larger goal",
        "Every student thinks hard about the content.",
        "We have studied this",
        "https://example.org/wait",
    ):
        assert text in page
    assert "Mark mastered" not in page  # the coach's decision
    response = tom.post(reverse("action_step_studied", args=[instructional.pk, step.pk]))
    assert response.status_code == 302
    assert Cycle.objects.get().studied_on == timezone.localdate()
    assert "studied on" in tom.get(step.get_absolute_url()).content.decode()
    assert "We have studied this" not in tom.get(step.get_absolute_url()).content.decode()

    url = reverse("action_step_resource_add", args=[instructional.pk, step.pk])
    response = tom.post(url, {"title": "", "url": ""})
    assert response.status_code == 422
    assert "Give the resource a title." in response.content.decode()
    pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = tom.post(url, {"title": "Lesson plan", "file": pdf})
    assert response.status_code == 302
    assert "Lesson plan" in tom.get(step.get_absolute_url()).content.decode()

    cora = signed_in(world.cora)
    status_url = reverse("action_step_status", args=[instructional.pk, step.pk])
    confirm = cora.get(status_url + "?status=mastered")
    assert "Mark this step mastered?" in confirm.content.decode()
    step.refresh_from_db()
    assert step.status == "current"  # asking is not doing
    response = cora.post(status_url, {"status": "mastered"})
    assert response.status_code == 302
    assert response["Location"] == reverse("action_step_new", args=[instructional.pk])
    step.refresh_from_db()
    assert step.status == "mastered"
    tom = signed_in(world.tom)
    assert tom.post(status_url, {"status": "current"}).status_code == 403


@pytest.mark.django_db
def test_the_list_puts_the_current_step_first_with_history_and_dates(
    world, instructional, signed_in
):
    old = _create(world, instructional, title="Greet students at the door")
    _create(world, instructional, title="Wait after asking", replace="mastered")
    page = signed_in(world.cora).get(reverse("action_step_list", args=[instructional.pk]))
    text = page.content.decode()
    assert text.index("Wait after asking") < text.index("Greet students at the door")
    assert "Mastered" in text
    assert old.started_on.strftime("%-d %b %Y") in text


@pytest.mark.django_db
def test_an_empty_list_says_what_to_do(world, instructional, signed_in):
    url = reverse("action_step_list", args=[instructional.pk])
    assert (
        "Choose the first one from the library" in signed_in(world.cora).get(url).content.decode()
    )


# --- Library pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_starts_from_the_starter_library_and_exports_it(world, signed_in):
    ada = signed_in(world.ada)
    page = ada.get(reverse("library")).content.decode()
    assert "Start from Coachloop&#x27;s starter library" in page or (
        "Start from Coachloop's starter library" in page
    )
    response = ada.post(reverse("library_starter"), {"organisation": world.district.pk})
    assert response.status_code == 302
    assert LibraryCategory.objects.filter(organisation=world.district).count() == 5
    page = ada.get(reverse("library") + "?q=wait").content.decode()
    assert "Wait after asking a question" in page
    csv = ada.get(reverse("library_export") + f"?format=csv&organisation={world.district.pk}")
    assert csv["Content-Disposition"].startswith("attachment;")
    assert csv.content.decode().startswith("category,step,success_criteria")
    assert (
        signed_in(world.bea)
        .get(reverse("library_export") + f"?format=csv&organisation={world.district.pk}")
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_the_import_page_lists_problems_by_line_then_imports(world, signed_in):
    ada = signed_in(world.ada)
    url = reverse("library_import")
    bad = SimpleUploadedFile(
        "lib.csv", b"category,step,success_criteria\nRoutines,,x\nRoutines,Entry,\n"
    )
    response = ada.post(url, {"organisation": world.district.pk, "file": bad})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Nothing was imported: 2 problems to fix" in page
    assert "<td>2</td>" in page
    assert "<td>3</td>" in page
    good = SimpleUploadedFile("lib.csv", b"category,step,success_criteria\nRoutines,Entry,x\n")
    response = ada.post(url, {"organisation": world.district.pk, "file": good})
    assert response.status_code == 302
    assert LibraryStep.objects.get().title == "Entry"
    assert signed_in(world.cora).get(url).status_code == 403


@pytest.mark.django_db
def test_admins_add_edit_and_remove_after_confirming(world, library_step, signed_in):
    ada = signed_in(world.ada)
    category = library_step.category
    response = ada.post(
        reverse("library_step_new", args=[category.pk]),
        {"title": "Cold call", "success_criteria": "Asks first\nThen names"},
    )
    assert response.status_code == 302
    assert LibraryStep.objects.get(title="Cold call").success_criteria == [
        "Asks first",
        "Then names",
    ]
    response = ada.post(
        reverse("library_step_edit", args=[library_step.pk]),
        {"title": "Cold call", "success_criteria": "x"},
    )
    assert response.status_code == 422
    assert "already has a step with this title" in response.content.decode()
    remove = reverse("library_category_remove", args=[category.pk])
    assert "Remove “Questioning”?" in ada.get(remove).content.decode()
    assert LibraryCategory.objects.filter(pk=category.pk).exists()
    assert signed_in(world.cora).post(remove).status_code == 403
    ada = signed_in(world.ada)
    assert ada.post(remove).status_code == 302
    assert not LibraryCategory.objects.filter(pk=category.pk).exists()


@pytest.mark.django_db
def test_coaches_read_libraries_above_them_but_not_other_tenants(world, library_step, signed_in):
    LibraryCategory.objects.create(organisation=world.faraway, title="Faraway strand")
    page = signed_in(world.cora).get(reverse("library")).content.decode()
    assert "Wait after asking a question" in page
    assert "Faraway strand" not in page
    tom = signed_in(world.tom).get(reverse("library")).content.decode()  # Oak is below
    assert "Wait after asking a question" in tom
    assert (
        signed_in(world.bea).get(reverse("library_step_detail", args=[library_step.pk])).status_code
        == 404
    )


# --- API -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_sets_lists_and_closes_steps_with_the_one_error_shape(
    world, instructional, library_step, client
):
    cora = Api(client, world.cora)
    base = f"/api/engagements/{instructional.pk}/action-steps"
    made = cora.post(base, {"library_step_id": library_step.pk})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["title"] == "Wait after asking a question"
    assert body["coachee"] == {"id": world.tom.pk, "name": str(world.tom)}
    again = cora.post(base, {"title": "Another", "success_criteria": ["x"]})
    assert again.status_code == 409
    assert again.json()["detail"].startswith("Tom already has a current action step")
    assert again.json()["errors"][0]["field"] == "replace"
    bad = cora.post(base, {"title": "", "success_criteria": [], "replace": "mastered"})
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"title", "success_criteria"}
    replaced = cora.post(base, {"title": "Another", "success_criteria": ["x"], "replace": "paused"})
    assert replaced.status_code == 201
    listed = cora.get(base).json()
    assert [i["title"] for i in listed["items"]] == ["Another", "Wait after asking a question"]
    assert listed["items"][1]["status"] == "paused"
    step_id = replaced.json()["id"]
    studied = Api(client, world.tom).post(f"{base}/{step_id}/studied", {"on": "2026-09-10"})
    assert studied.json()["studied_on"] == "2026-09-10"
    status = cora.post(f"{base}/{step_id}/status", {"status": "mastered"})
    assert status.json()["status"] == "mastered"
    assert (
        Api(client, world.tom).post(f"{base}/{step_id}/status", {"status": "paused"}).status_code
        == 403
    )
    assert Api(client, world.lena).get(base).json()["items"] == []
    assert Api(client, world.lena).get(f"{base}/{step_id}").status_code == 404
    assert Api(client, world.bea).get(base).status_code == 404


@pytest.mark.django_db
def test_the_api_lists_imports_and_exports_the_library(world, instructional, library_step, client):
    cora = Api(client, world.cora)
    found = cora.get("/api/library?q=wait").json()
    assert [i["title"] for i in found["items"]] == ["Wait after asking a question"]
    assert found["items"][0]["category"] == "Questioning"
    picked = cora.get(f"/api/library?engagement_id={instructional.pk}").json()
    assert picked["count"] == 1
    ada = Api(client, world.ada)
    bad = ada.post(
        "/api/library/import",
        {"organisation_id": world.district.pk, "text": "category,step,success_criteria\nA,,x\n"},
    )
    assert bad.status_code == 400
    assert bad.json()["detail"] == "Nothing was imported: 1 problem to fix."
    assert bad.json()["errors"][0]["message"].startswith("Line 2")
    exported = ada.get(f"/api/library/export?organisation_id={world.district.pk}&format=yaml")
    assert exported.status_code == 200
    again = ada.post(
        "/api/library/import",
        {"organisation_id": world.district.pk, "text": exported.content.decode(), "format": "yaml"},
    )
    assert again.status_code == 200
    assert again.json()["unchanged"] == 2
    assert (
        cora.post(
            "/api/library/import", {"organisation_id": world.district.pk, "text": "x"}
        ).status_code
        == 403
    )
