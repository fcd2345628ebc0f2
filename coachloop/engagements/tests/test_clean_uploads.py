"""clean_uploads removes only files that no record refers to."""

import os
import time

from django.core.files.base import ContentFile
from django.core.management import call_command

from coachloop.engagements.models import Resource


def test_only_orphaned_files_are_removed(world, settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path
    resource = Resource(
        organisation=world.oak, engagement=world.engagement, author=world.cora, title="Kept"
    )
    resource.file.save("kept.txt", ContentFile(b"kept"), save=True)
    orphan = tmp_path / "resources" / "2026" / "01" / "orphan.txt"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"left behind")
    old = time.time() - 2 * 24 * 3600
    for path in (orphan, tmp_path / resource.file.name):
        os.utime(path, (old, old))

    call_command("clean_uploads", "--dry-run")
    assert "would remove resources/2026/01/orphan.txt" in capsys.readouterr().out
    assert orphan.exists()

    call_command("clean_uploads")
    assert not orphan.exists()
    assert (tmp_path / resource.file.name).exists()


def test_a_message_file_left_behind_is_removed_and_an_attached_one_kept(
    world, instructional, settings, tmp_path, capsys
):
    from coachloop.messaging.models import Attachment, Message, Thread

    settings.MEDIA_ROOT = tmp_path
    thread = Thread.objects.create(
        organisation=world.oak, engagement=instructional, subject="Plan", author=world.tom
    )
    message = Message.objects.create(
        organisation=world.oak, thread=thread, author=world.tom, body="See the file"
    )
    attached = Attachment(message=message, name="plan.txt", size=4, content_type="text/plain")
    attached.file.save("plan.txt", ContentFile(b"plan"), save=True)
    orphan = tmp_path / "messages" / "2026" / "12" / "orphan.txt"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left behind")
    old = time.time() - 2 * 24 * 3600
    for path in (orphan, tmp_path / attached.file.name):
        os.utime(path, (old, old))

    call_command("clean_uploads")
    assert "removed messages/2026/12/orphan.txt" in capsys.readouterr().out
    assert not orphan.exists()
    assert (tmp_path / attached.file.name).exists()
