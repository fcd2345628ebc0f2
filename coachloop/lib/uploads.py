"""Checks on uploaded files: the content decides the type, not the name, and size is capped."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from coachloop.lib.errors import DomainError

OOXML = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ACCEPTED = _("PDF, Word, Excel, PowerPoint, PNG, JPEG or plain text")


def sniff(head: bytes, name: str) -> str | None:
    """The content type the first bytes prove, or None when they prove none we accept."""
    suffix = PurePath(name).suffix.lower()
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04") and suffix in OOXML:
        return OOXML[suffix]
    if suffix in (".txt", ".md", ".csv") and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(head) - 4:  # a character cut at the end of the sample is fine
                return None
        return "text/plain"
    return None


def check_upload(upload: UploadedFile[bytes] | None, *, field: str = "file") -> str:
    """Refuse a missing, empty, too large or unaccepted file; return its real content type."""
    if upload is None:
        raise DomainError(_("Choose a file to upload."), field=field)
    limit = settings.COACHLOOP_MAX_UPLOAD_BYTES
    if upload.size is None or upload.size == 0:
        raise DomainError(_("The file is empty."), field=field)
    if upload.size > limit:
        raise DomainError(
            _("The file is %(size)s; files can be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            field=field,
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    content_type = sniff(head, upload.name or "")
    if content_type is None:
        raise DomainError(
            _("“%(name)s” is not a file type we accept. Upload a %(accepted)s file.")
            % {"name": upload.name, "accepted": ACCEPTED},
            field=field,
        )
    return content_type
