"""The instrument library, through its services, pages and API: the built-in instruments laid out
in full, copying one into a district and adapting its file (every problem named by its path,
the typed text kept, a stale save refused), uploading a new file, archiving, and who may see or
change what (404 across tenants, 403 for those who may only look)."""

import datetime
import json
import re

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from coachloop.access.models import AuditEvent, Visibility
from coachloop.surveys import instrument_services as services
from coachloop.surveys import schema
from coachloop.surveys.library import BUILTIN_DIR, sync_all_builtin
from coachloop.surveys.models import Administration, Instrument
from coachloop.testing.api import Api

pytestmark = pytest.mark.django_db

BUILTIN_KEYS = {
    "leadership-for-learning",
    "leader-360",
    "participant-feedback",
    "coaching-effectiveness",
    "coaching-experience",
}


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def builtin(key: str) -> Instrument:
    if not Instrument.objects.filter(organisation=None, key=key).exists():
        sync_all_builtin()
    return Instrument.objects.get(organisation=None, key=key)


@pytest.fixture
def lfl_survey(world):
    return builtin("leadership-for-learning")


@pytest.fixture
def district_copy(world, lfl_survey):
    return services.instrument_copy(
        actor=world.ada, source=lfl_survey, organisation=world.district, name="Riverbend survey"
    )


def edited(instrument, change):
    data = yaml.safe_load(schema.dump(instrument.current.spec))
    change(data)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def administration_on(instrument, world):
    return Administration.objects.create(
        organisation=world.oak,
        version=instrument.current,
        title="Autumn survey",
        roles=["teacher", "staff"],
        opens_on=datetime.date(2026, 10, 1),
        closes_on=datetime.date(2026, 10, 15),
        visibility=Visibility.PROGRAMME,
        created_by=world.ada,
    )


# --- The library pages ----------------------------------------------------------------------------


def test_everyone_signed_in_sees_the_four_builtin_instruments(world, signed_in, lfl_survey):
    page = text(signed_in(world.tom).get("/instruments/"))
    for name in (
        "Leadership for learning survey",
        "School leader 360",
        "Participant feedback",
        "Coaching effectiveness (four levels)",
    ):
        assert name in page
    assert "Built-in" in page
    assert "School-wide survey" in page
    assert "360 survey of one person" in page
    assert f'href="/instruments/{lfl_survey.pk}/"' in page
    # a teacher is offered neither an upload nor a copy
    assert "Upload an instrument file" not in page


def test_the_list_is_searchable_and_htmx_gets_the_results_only(world, signed_in, district_copy):
    client = signed_in(world.ada)
    page = text(client.get("/instruments/?q=riverbend"))
    assert "Riverbend survey" in page
    assert ">School leader 360</a>" not in page
    assert ">Leadership for learning survey</a></td>" in page  # what the copy is based on
    assert "No instrument matches" in text(client.get("/instruments/?q=nothing-like-this"))
    fragment = text(client.get("/instruments/?q=360", headers={"HX-Request": "true"}))
    assert "School leader 360" in fragment
    assert "<h1>" not in fragment


def test_the_detail_page_lays_out_domains_items_scales_and_who_is_asked_what(
    world, signed_in, lfl_survey
):
    page = text(signed_in(world.tom).get(f"/instruments/{lfl_survey.pk}/"))
    titles = [
        "Focus on learning",
        "Monitoring teaching and learning",
        "Collaborative learning communities",
        "Acquiring and allocating resources",
        "A safe and effective learning environment",
    ]
    positions = [page.index(f">{title}</h3>") for title in titles]
    assert positions == sorted(positions)
    assert "Leaders visit classrooms to see teaching and learning." in page
    # scales with their points and the not-applicable answer
    assert "Strongly disagree" in page
    assert "Almost always" in page
    assert "Respondents may also answer “Don&#x27;t know”, which scores nothing." in page
    # roles, the anonymity thresholds, target areas
    assert "Teachers, Other staff, Leaders" in page
    assert "Results are shown for groups of at least 5 people" in page
    assert "written comments for groups of at least 10" in page
    assert "Items scoring below 3.0" in page
    # who is asked what: staff are not asked about feedback after classroom visits
    assert '<th scope="row">Teachers</th><td>30</td><td>2</td>' in page
    assert '<th scope="row">Other staff</th><td>26</td><td>2</td>' in page
    row = page[page.index('id="item-monitoring-feedback"') :]
    row = row[: row.index("</tr>")]
    assert row.count("not asked") == 1
    # the version history
    assert "Loaded from leadership-for-learning.yaml" in page
    # built-in: nothing to edit
    assert "Built-in instruments can't be changed" in page
    assert "Edit as a file" not in page


def test_the_360_shows_what_the_leader_reads_about_themself(world, signed_in):
    three_sixty = builtin("leader-360")
    page = text(signed_in(world.lena).get(f"/instruments/{three_sixty.pk}/"))
    assert "This leader listens before deciding." in page
    assert "Self: I listen before deciding." in page
    assert "360 survey of one person" in page
    assert "Supervisors" in page


def test_a_builtin_is_copied_not_changed(world, signed_in, lfl_survey):
    client = signed_in(world.ada)
    page = text(client.get(f"/instruments/{lfl_survey.pk}/"))
    assert "Copy and adapt" in page
    response = client.get(f"/instruments/{lfl_survey.pk}/edit/")
    assert response.status_code == 403
    assert "copy one to adapt it" in text(response)
    assert client.post(f"/instruments/{lfl_survey.pk}/edit/", {"text": "x"}).status_code == 403
    assert client.post(f"/instruments/{lfl_survey.pk}/archive/").status_code == 403
    lfl_survey.refresh_from_db()
    assert lfl_survey.current.number == 1
    assert not lfl_survey.is_archived


def test_ada_copies_the_survey_into_her_district(world, signed_in, lfl_survey):
    client = signed_in(world.ada)
    form = client.get(f"/instruments/{lfl_survey.pk}/copy/")
    assert form.status_code == 200
    assert 'value="Leadership for learning survey (adapted)"' in form.content.decode()
    response = client.post(
        f"/instruments/{lfl_survey.pk}/copy/",
        {"organisation": world.district.pk, "name": "Riverbend leadership survey"},
    )
    copy = Instrument.objects.get(organisation=world.district)
    assert response["Location"] == f"/instruments/{copy.pk}/"
    assert copy.based_on == lfl_survey
    assert copy.key == "riverbend-leadership-survey"
    assert copy.current.spec.key == copy.key
    assert copy.current.spec.name == "Riverbend leadership survey"
    assert len(list(copy.current.spec.items())) == 30
    page = text(client.get(response["Location"]))
    assert "is a copy of Leadership for learning survey" in page
    assert "Copied from Leadership for learning survey v1" in page
    assert "Edit as a file" in page
    event = AuditEvent.objects.get(action="instrument.copy")
    assert event.target_id == str(copy.pk)
    assert event.organisation == world.district
    # a second copy of the same name gets a key of its own
    again = services.instrument_copy(
        actor=world.ada,
        source=lfl_survey,
        organisation=world.district,
        name="Riverbend leadership survey",
    )
    assert again.key == "riverbend-leadership-survey-2"


def test_a_copy_needs_a_name(world, signed_in, lfl_survey):
    response = signed_in(world.ada).post(
        f"/instruments/{lfl_survey.pk}/copy/", {"organisation": world.district.pk, "name": " "}
    )
    assert response.status_code == 422
    assert "This field is required." in text(response)
    assert not Instrument.objects.filter(organisation=world.district).exists()


def test_a_duplicate_item_id_is_listed_by_path_and_the_text_kept(world, signed_in, district_copy):
    client = signed_in(world.ada)
    page = client.get(f"/instruments/{district_copy.pk}/edit/")
    assert page.status_code == 200
    assert 'name="base_version" value="1"' in page.content.decode()

    def duplicate(data):
        data["domains"][2]["items"][1]["key"] = "focus-goals"

    typed = edited(district_copy, duplicate)
    response = client.post(
        f"/instruments/{district_copy.pk}/edit/", {"text": typed, "base_version": "1"}
    )
    assert response.status_code == 422
    body = text(response)
    assert (
        "riverbend-survey.yaml: domains[2].items[1].key: another item already has key "
        "&quot;focus-goals&quot;" in body
    )
    assert "1 problem to fix" in body
    assert "The file has 1 problem; nothing was saved." in body
    assert "key: focus-goals" in response.content.decode().split("<textarea")[1]
    district_copy.refresh_from_db()
    assert district_copy.current.number == 1


def test_a_valid_edit_is_a_new_version_and_a_given_survey_keeps_its_version(
    world, signed_in, district_copy
):
    given = administration_on(district_copy, world)
    client = signed_in(world.ada)

    def reword(data):
        data["domains"][0]["items"][0]["text"] = "Our school has three clear goals for learning."
        data["k"] = 6
        data["comment_k"] = 12

    response = client.post(
        f"/instruments/{district_copy.pk}/edit/",
        {"text": edited(district_copy, reword), "base_version": "1"},
    )
    assert response["Location"] == f"/instruments/{district_copy.pk}/"
    district_copy.refresh_from_db()
    assert district_copy.current.number == 2
    assert district_copy.current.spec.k == 6
    page = text(client.get(response["Location"]))
    assert "Saved as version 2" in page
    assert "Edited as a file" in page
    assert "Our school has three clear goals for learning." in page
    event = AuditEvent.objects.get(action="instrument.edit")
    assert event.data["version"] == 2
    # the survey given on version 1 keeps it, with its threshold
    given.refresh_from_db()
    assert given.version.number == 1
    assert given.spec.k == 5
    assert given.spec.domains[0].items[0].text.startswith("Our school has a small number")
    # version 1 can still be read and downloaded
    older = text(client.get(f"/instruments/{district_copy.pk}/?version=1"))
    assert "You are looking at version 1" in older
    download = client.get(f"/instruments/{district_copy.pk}/download/?version=1")
    assert schema.load(download.content.decode(), "v1.yaml").k == 5


def test_saving_the_same_file_makes_no_version(world, signed_in, district_copy):
    client = signed_in(world.ada)
    same = schema.dump(district_copy.current.spec)
    response = client.post(
        f"/instruments/{district_copy.pk}/edit/", {"text": same, "base_version": "1"}
    )
    assert response.status_code == 302
    assert "Nothing changed" in text(client.get(response["Location"]))
    district_copy.refresh_from_db()
    assert district_copy.current.number == 1


def test_a_stale_save_is_refused_and_the_text_kept(world, signed_in, district_copy):
    client = signed_in(world.ada)
    first = edited(district_copy, lambda d: d.update(summary="First change."))
    second = edited(district_copy, lambda d: d.update(summary="Second change, typed later."))
    url = f"/instruments/{district_copy.pk}/edit/"
    assert client.post(url, {"text": first, "base_version": "1"}).status_code == 302
    response = client.post(url, {"text": second, "base_version": "1"})
    assert response.status_code == 409
    body = text(response)
    assert "Someone saved version 2 of this instrument after you opened version 1" in body
    assert "Second change, typed later." in body
    district_copy.refresh_from_db()
    assert district_copy.current.number == 2
    assert district_copy.current.spec.summary == "First change."


def test_the_key_of_an_instrument_stays(world, signed_in, district_copy):
    response = signed_in(world.ada).post(
        f"/instruments/{district_copy.pk}/edit/",
        {"text": edited(district_copy, lambda d: d.update(key="other")), "base_version": "1"},
    )
    assert response.status_code == 422
    assert "key: must stay &quot;riverbend-survey&quot;" in text(response)


def test_a_role_asked_no_item_is_refused_when_editing(world, signed_in, district_copy):
    def only_teachers(data):
        for domain in data["domains"]:
            for item in domain["items"]:
                item["roles"] = ["teacher"]

    response = signed_in(world.ada).post(
        f"/instruments/{district_copy.pk}/edit/",
        {"text": edited(district_copy, only_teachers), "base_version": "1"},
    )
    assert response.status_code == 422
    body = text(response)
    assert "roles[1]: no item is asked of &quot;staff&quot;" in body
    assert "roles[2]: no item is asked of &quot;leader&quot;" in body


def test_k_below_3_is_refused_when_editing(world, signed_in, district_copy):
    response = signed_in(world.ada).post(
        f"/instruments/{district_copy.pk}/edit/",
        {"text": edited(district_copy, lambda d: d.update(k=2)), "base_version": "1"},
    )
    assert response.status_code == 422
    assert "riverbend-survey.yaml: k: must be at least 3" in text(response)
    district_copy.refresh_from_db()
    assert district_copy.current.spec.k == 5


def test_the_file_downloads_for_anyone_who_sees_the_instrument(world, signed_in, district_copy):
    response = signed_in(world.tom).get(f"/instruments/{district_copy.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/yaml")
    assert response["Content-Disposition"] == 'attachment; filename="riverbend-survey-v1.yaml"'
    assert schema.load(response.content.decode(), "download.yaml").name == "Riverbend survey"


# --- Uploading a new instrument -------------------------------------------------------------------


def upload(client, world, name, content, org=None):
    return client.post(
        "/instruments/upload/",
        {
            "organisation": (org or world.district).pk,
            "file": SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        },
    )


def feedback_file(**changes):
    data = yaml.safe_load((BUILTIN_DIR / "participant-feedback.yaml").read_text(encoding="utf-8"))
    data.update({"key": "session-feedback", "name": "Session feedback", **changes})
    return data


def test_ada_uploads_a_new_instrument(world, signed_in):
    client = signed_in(world.ada)
    assert client.get("/instruments/upload/").status_code == 200
    content = yaml.safe_dump(feedback_file(), sort_keys=False).encode()
    response = upload(client, world, "session.yaml", content)
    made = Instrument.objects.get(organisation=world.district, key="session-feedback")
    assert response["Location"] == f"/instruments/{made.pk}/"
    assert made.kind == "feedback"
    assert made.current.number == 1
    assert made.based_on is None
    page = text(client.get(response["Location"]))
    assert "“Session feedback” is in the library as version 1." in page
    assert "Uploaded as session.yaml" in page
    assert AuditEvent.objects.filter(action="instrument.upload", target_id=str(made.pk)).exists()
    # the same key again in the same organisation is refused
    again = upload(client, world, "session.yaml", content)
    assert again.status_code == 422
    assert "Riverbend already has an instrument with the key “session-feedback”" in text(again)


def test_a_json_file_uploads_too(world, signed_in):
    content = json.dumps(feedback_file(key="json-feedback")).encode()
    response = upload(signed_in(world.ada), world, "feedback.json", content, org=world.oak)
    assert response.status_code == 302
    assert Instrument.objects.get(organisation=world.oak, key="json-feedback").current.spec.k == 5


def test_an_invalid_upload_lists_every_problem(world, signed_in):
    data = feedback_file(k=1)
    data["scales"][0]["points"] = [1, 2, 3, 4]
    response = upload(signed_in(world.ada), world, "broken.yaml", yaml.safe_dump(data).encode())
    assert response.status_code == 422
    body = text(response)
    assert "broken.yaml: k: must be at least 3" in body
    assert "broken.yaml: scales[0].points[3]: write each point as a value and a label" in body
    assert "5 problems to fix" in body
    assert not Instrument.objects.filter(key="session-feedback").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("survey.docx", b"format: 1", "Upload a .yaml or .json instrument file"),
        ("survey.yaml", b"", "The submitted file is empty."),
        ("survey.yaml", b"\xff\xfe\x00k", "The file is not text in UTF-8"),
        ("survey.yaml", b"#" * (256 * 1024 + 1), "The file is larger than 256 KB"),
        ("survey.yaml", b"format: 1\nkey: [a\n", "survey.yaml: line 3, column 1: not valid YAML"),
    ],
)
def test_a_file_that_is_not_an_instrument_file_is_refused(world, signed_in, name, content, message):
    response = upload(signed_in(world.ada), world, name, content)
    assert response.status_code == 422
    assert message in text(response).replace("&#x27;", "'")
    assert not Instrument.objects.filter(organisation=world.district).exists()


def test_only_administrators_upload_and_only_into_their_organisations(world, signed_in):
    content = yaml.safe_dump(feedback_file()).encode()
    for name in ("tom", "cora", "lena"):
        client = signed_in(getattr(world, name))
        assert client.get("/instruments/upload/").status_code == 403, name
        assert upload(client, world, "s.yaml", content).status_code == 403, name
    # bea administers Faraway, not Riverbend
    response = upload(signed_in(world.bea), world, "s.yaml", content)
    assert response.status_code == 422
    assert "Choose one of the organisations you administer." in text(response)
    assert not Instrument.objects.filter(key="session-feedback").exists()


# --- Archiving ------------------------------------------------------------------------------------


def test_an_archived_instrument_is_marked_and_can_be_restored(world, signed_in, district_copy):
    client = signed_in(world.ada)
    response = client.post(f"/instruments/{district_copy.pk}/archive/")
    assert response["Location"] == f"/instruments/{district_copy.pk}/"
    district_copy.refresh_from_db()
    assert district_copy.is_archived
    assert "Archived" in text(client.get("/instruments/?q=riverbend"))
    assert AuditEvent.objects.filter(action="instrument.archive").exists()
    client.post(f"/instruments/{district_copy.pk}/archive/", {"restore": "1"})
    district_copy.refresh_from_db()
    assert not district_copy.is_archived
    assert client.get(f"/instruments/{district_copy.pk}/archive/").status_code == 405


# --- Who may see and change what ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tom", "cora", "lena", "dan"])
def test_others_in_the_district_see_the_copy_but_cannot_change_it(
    world, signed_in, district_copy, name
):
    client = signed_in(getattr(world, name))
    page = text(client.get(f"/instruments/{district_copy.pk}/"))
    assert "Riverbend survey" in page
    assert "Edit as a file" not in page
    assert "Copy and adapt" not in page
    assert ">Archive</button>" not in page
    assert client.get(f"/instruments/{district_copy.pk}/edit/").status_code == 403
    assert client.get(f"/instruments/{district_copy.pk}/copy/").status_code == 403
    typed = edited(district_copy, lambda d: d.update(summary="Mine"))
    response = client.post(
        f"/instruments/{district_copy.pk}/edit/", {"text": typed, "base_version": "1"}
    )
    assert response.status_code == 403
    assert client.post(f"/instruments/{district_copy.pk}/archive/").status_code == 403
    district_copy.refresh_from_db()
    assert district_copy.current.number == 1
    assert not district_copy.is_archived


def test_another_tenant_gets_not_found(world, signed_in, district_copy, lfl_survey):
    client = signed_in(world.bea)
    for path in ("", "edit/", "download/", "copy/"):
        assert client.get(f"/instruments/{district_copy.pk}/{path}").status_code == 404, path
    assert client.post(f"/instruments/{district_copy.pk}/archive/").status_code == 404
    assert "Riverbend survey" not in text(client.get("/instruments/"))
    # bea may copy the built-in into her own district, never into Riverbend
    response = client.post(
        f"/instruments/{lfl_survey.pk}/copy/",
        {"organisation": world.district.pk, "name": "Stolen"},
    )
    assert response.status_code == 422
    assert not Instrument.objects.filter(name="Stolen").exists()
    response = client.post(
        f"/instruments/{lfl_survey.pk}/copy/", {"organisation": world.faraway.pk, "name": "Ours"}
    )
    assert response.status_code == 302
    assert Instrument.objects.get(name="Ours").organisation == world.faraway
    assert ">Ours</a>" in text(client.get("/instruments/"))
    # and Riverbend's people do not see Faraway's copy
    assert ">Ours</a>" not in text(signed_in(world.ada).get("/instruments/"))


def test_the_services_refuse_what_the_pages_refuse(world, district_copy, lfl_survey):
    from coachloop.lib.errors import DomainError

    with pytest.raises(DomainError) as caught:
        services.instrument_save_text(
            actor=world.tom, instrument=district_copy, text="", base_version=1
        )
    assert caught.value.status == 403
    with pytest.raises(DomainError) as caught:
        services.instrument_save_text(
            actor=world.ada, instrument=lfl_survey, text="", base_version=1
        )
    assert caught.value.status == 403
    with pytest.raises(DomainError) as caught:
        services.instrument_copy(
            actor=world.bea, source=lfl_survey, organisation=world.district, name="x"
        )
    assert caught.value.field == "organisation"
    from django.http import Http404

    with pytest.raises(Http404):
        services.instrument_archive(actor=world.bea, instrument=district_copy)


def test_an_unknown_version_is_not_found(world, signed_in, district_copy):
    client = signed_in(world.ada)
    assert client.get(f"/instruments/{district_copy.pk}/?version=9").status_code == 404
    assert client.get(f"/instruments/{district_copy.pk}/?version=x").status_code == 404
    assert client.get("/instruments/999999/").status_code == 404


def test_the_list_and_detail_pages_take_a_fixed_number_of_queries(
    world, signed_in, lfl_survey, django_assert_max_num_queries
):
    client = signed_in(world.ada)
    for n in range(5):
        services.instrument_copy(
            actor=world.ada, source=lfl_survey, organisation=world.district, name=f"Copy {n}"
        )
    client.get("/instruments/")  # warm the session
    with django_assert_max_num_queries(14):
        assert client.get("/instruments/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"/instruments/{lfl_survey.pk}/").status_code == 200


# --- The API --------------------------------------------------------------------------------------


def test_api_lists_instruments_with_paging(world, client, district_copy):
    body = Api(client, world.tom).get("/api/instruments").json()
    keys = {row["key"] for row in body["items"]}
    assert keys == BUILTIN_KEYS | {"riverbend-survey"}
    assert body["count"] == len(BUILTIN_KEYS) + 1
    row = next(r for r in body["items"] if r["key"] == "riverbend-survey")
    assert row["based_on_id"] == district_copy.based_on_id
    assert row["current_version"] == 1
    assert row["is_builtin"] is False
    other = Api(client, world.bea).get("/api/instruments").json()
    assert {row["key"] for row in other["items"]} == BUILTIN_KEYS


def test_api_detail_has_the_current_definition(world, client, lfl_survey):
    body = Api(client, world.tom).get(f"/api/instruments/{lfl_survey.pk}").json()
    assert body["kind"] == "school"
    assert body["version"]["number"] == 1
    assert body["version"]["definition"]["k"] == 5
    assert body["version"]["definition"]["domains"][0]["key"] == "focus"
    assert [v["number"] for v in body["versions"]] == [1]
    assert (
        Api(client, world.tom).get(f"/api/instruments/{lfl_survey.pk}/versions/1").status_code
        == 200
    )
    assert (
        Api(client, world.tom).get(f"/api/instruments/{lfl_survey.pk}/versions/7").status_code
        == 404
    )


def test_api_copy(world, client, lfl_survey):
    ada = Api(client, world.ada)
    response = ada.post(
        f"/api/instruments/{lfl_survey.pk}/copy",
        {"organisation_id": world.district.pk, "name": "API copy"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["key"] == "api-copy"
    assert body["organisation_id"] == world.district.pk
    assert body["version"]["definition"]["name"] == "API copy"
    # a teacher may see the district but not copy into it; another tenant does not see it
    tom = Api(client, world.tom)
    refused = tom.post(
        f"/api/instruments/{lfl_survey.pk}/copy",
        {"organisation_id": world.oak.pk, "name": "Mine"},
    )
    assert refused.status_code == 403
    bea = Api(client, world.bea)
    across = bea.post(
        f"/api/instruments/{lfl_survey.pk}/copy",
        {"organisation_id": world.district.pk, "name": "Stolen"},
    )
    assert across.status_code == 404
    copy_id = body["id"]
    assert (
        bea.post(
            f"/api/instruments/{copy_id}/copy", {"organisation_id": world.faraway.pk, "name": "x"}
        ).status_code
        == 404
    )
    assert not Instrument.objects.filter(name__in=["Mine", "Stolen", "x"]).exists()


def test_api_replaces_the_definition(world, client, district_copy):
    ada = Api(client, world.ada)
    url = f"/api/instruments/{district_copy.pk}/definition"
    good = edited(district_copy, lambda d: d.update(summary="From the API."))
    response = ada.put(url, {"text": good, "base_version": 1})
    assert response.status_code == 200
    assert response.json()["current_version"] == 2
    assert response.json()["version"]["definition"]["summary"] == "From the API."
    # a JSON object works as well
    data = yaml.safe_load(good)
    data["summary"] = "As JSON."
    response = ada.put(url, {"definition": data, "base_version": 2})
    assert response.json()["current_version"] == 3
    # a stale base version: 409
    stale = ada.put(url, {"text": good, "base_version": 1})
    assert stale.status_code == 409
    assert "Someone saved version 3" in stale.json()["detail"]
    district_copy.refresh_from_db()
    assert district_copy.current.number == 3


def test_api_answers_400_with_every_problem(world, client, district_copy):
    def break_it(data):
        data["domains"][1]["items"][0]["key"] = "focus-goals"
        data["k"] = 12

    response = Api(client, world.ada).put(
        f"/api/instruments/{district_copy.pk}/definition",
        {"text": edited(district_copy, break_it), "base_version": 1},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "The instrument has 2 problem(s); nothing was saved."
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert fields["comment_k"] == (
        "riverbend-survey.yaml: comment_k: must be at least k (12): comments need a larger group"
    )
    assert "another item already has key" in fields["domains[1].items[0].key"]
    district_copy.refresh_from_db()
    assert district_copy.current.number == 1


def test_api_refuses_changes_to_those_who_may_not_make_them(world, client, district_copy):
    url = f"/api/instruments/{district_copy.pk}/definition"
    body = {"text": schema.dump(district_copy.current.spec), "base_version": 1}
    assert Api(client, world.tom).put(url, body).status_code == 403
    assert Api(client, world.cora).put(url, body).status_code == 403
    assert Api(client, world.bea).put(url, body).status_code == 404
    assert Api(client, world.bea).get(f"/api/instruments/{district_copy.pk}").status_code == 404
    builtin_url = f"/api/instruments/{district_copy.based_on_id}/definition"
    assert Api(client, world.ada).put(builtin_url, body).status_code == 403
    neither = Api(client, world.ada).put(url, {"base_version": 1})
    assert neither.status_code == 400
