"""Portfolio pages: the performer submits evidence (checked by content and size), the coach
returns it with feedback, the performer revises, the coach accepts; files only as attachments;
people outside the engagement see nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coachloop.engagements.models import StepStatus
from coachloop.portfolios import services as portfolios
from coachloop.portfolios.models import EntryStatus, PortfolioEntry, PortfolioRevision
from coachloop.rubrics.models import RubricScore

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def list_url(world):
    return f"/engagements/{world.engagement.pk}/portfolio/"


def entry_url(world, entry):
    return f"/engagements/{world.engagement.pk}/portfolio/{entry.pk}/"


def submit(client, world, name="cycle.pdf", content=PDF, **extra):
    data = {
        "title": "Data meeting cycle",
        "description": "Agendas and minutes of three meetings",
        "visibility": "sponsors",
        "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
    }
    data.update(extra)
    return client.post(list_url(world), data)


def submitted(world):
    return portfolios.entry_submit(
        actor=world.tom,
        engagement=world.engagement,
        title="Data meeting cycle",
        description="Agendas",
        upload=SimpleUploadedFile("cycle.pdf", PDF),
    )


@pytest.fixture
def tom(world, signed_in):
    return signed_in(world.tom)


def test_the_performer_submits_a_pdf(world, tom):
    assert b"Submit an entry" in tom.get(list_url(world)).content
    response = submit(tom, world)
    entry = PortfolioEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == entry_url(world, entry)
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.revisions.get().content_type == "application/pdf"
    listing = tom.get(list_url(world)).content.decode()
    assert "Awaiting review" in listing
    assert "Revision 1" in listing
    assert "cycle.pdf" in listing


def test_a_program_renamed_pdf_is_refused_and_nothing_is_saved(world, tom):
    response = submit(tom, world, name="report.pdf", content=EXE)
    assert response.status_code == 422
    body = response.content.decode()
    assert "“report.pdf” is not a file type we accept." in body
    assert 'value="Data meeting cycle"' in body
    assert "Agendas and minutes of three meetings" in body
    assert not PortfolioEntry.objects.exists()
    assert not PortfolioRevision.objects.exists()


def test_a_file_over_the_limit_is_refused(world, tom, settings):
    settings.COACHLOOP_MAX_UPLOAD_BYTES = 20
    response = submit(tom, world)
    assert response.status_code == 422
    assert b"files can be at most 20" in response.content
    assert not PortfolioEntry.objects.exists()


def test_an_entry_without_a_file_or_title_is_explained(world, tom):
    response = tom.post(list_url(world), {"title": "", "description": "Kept", "visibility": "team"})
    assert response.status_code == 422
    assert b"Give the entry a title." in response.content
    response = tom.post(list_url(world), {"title": "Kept title", "visibility": "team"})
    assert response.status_code == 422
    assert b"Choose a file to upload." in response.content
    assert b'value="Kept title"' in response.content


def test_return_revise_accept_and_download(world, signed_in):
    # One test client: signing someone in signs the previous person out.
    def cora():
        return signed_in(world.cora)

    def tom():
        return signed_in(world.tom)

    entry = submitted(world)
    page = cora().get(entry_url(world, entry)).content.decode()
    assert "Review this entry" in page
    assert "Return for revision" in page
    assert "Every part present." in page  # the portfolio rubric's descriptors

    # Feedback is required.
    response = cora().post(entry_url(world, entry), {"action": "review", "decision": "returned"})
    assert response.status_code == 422
    assert b"Write feedback for the performer." in response.content

    response = cora().post(
        entry_url(world, entry),
        {"action": "review", "decision": "returned", "feedback": "Add the minutes."},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.RETURNED

    page = tom().get(entry_url(world, entry)).content.decode()
    assert "Returned for revision" in page
    assert "Add the minutes." in page
    assert "Revise this entry" in page
    response = tom().post(
        entry_url(world, entry),
        {
            "action": "revise",
            "note": "Minutes added",
            "file": SimpleUploadedFile("cycle-2.pdf", PDF),
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.revisions.count() == 2

    # A partial rubric rating is refused with the missing criteria named.
    response = cora().post(
        entry_url(world, entry),
        {
            "action": "review",
            "decision": "accepted",
            "feedback": "Complete.",
            "r-complete-level": 3,
        },
    )
    assert response.status_code == 422
    assert "Choose a level for “Reflection”." in response.content.decode()
    assert not RubricScore.objects.exists()

    ratings = {f"r-{key}-level": 3 for key in ("complete", "evidence", "reflection")}
    response = cora().post(
        entry_url(world, entry),
        {"action": "review", "decision": "accepted", "feedback": "Complete.", **ratings},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ACCEPTED
    assert world.engagement.steps.get(step_key="portfolio-review").status == StepStatus.DONE
    page = tom().get(entry_url(world, entry)).content.decode()
    assert "Accepted and archived" in page
    assert "Meets the standard" in page  # the rubric rating, readable by the performer

    revision = entry.revisions.get(number=2)
    download = tom().get(
        f"/engagements/{world.engagement.pk}/portfolio/{entry.pk}/files/{revision.pk}/"
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="cycle-2.pdf"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content) == PDF


def test_only_the_coach_reviews(world, tom):
    entry = submitted(world)
    assert b"Review this entry" not in tom.get(entry_url(world, entry)).content
    response = tom.post(
        entry_url(world, entry), {"action": "review", "decision": "accepted", "feedback": "Mine"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED


@pytest.mark.parametrize("name", ["sam", "tina", "ben"])
def test_people_outside_the_engagement_get_404(world, signed_in, name):
    entry = submitted(world)
    revision = entry.revisions.get()
    client = signed_in(getattr(world, name))
    base = f"/engagements/{world.engagement.pk}/portfolio/"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}{entry.pk}/").status_code == 404
    assert client.get(f"{base}{entry.pk}/files/{revision.pk}/").status_code == 404


def test_the_administrator_does_not_read_a_sponsors_level_entry(world, signed_in):
    entry = submitted(world)
    ada = signed_in(world.ada)
    assert ada.get(entry_url(world, entry)).status_code == 404
    assert b"Data meeting cycle" not in ada.get(list_url(world)).content
    lena = signed_in(world.lena)  # the sponsor reads it (the playbook's default: sponsors)
    assert lena.get(entry_url(world, entry)).status_code == 200
