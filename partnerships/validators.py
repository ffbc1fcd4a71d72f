"""Agreement documents are checked by their content, not by their name."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_DOCUMENT_SIZE = 10 * 1024 * 1024

# The first bytes of each accepted type.
SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
]


def inspect_document(file):
    """(content type, size) of an uploaded document, or a ValidationError saying why not."""
    size = file.size
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > MAX_DOCUMENT_SIZE:
        raise ValidationError(
            _("The file is %(size)s; at most %(limit)s is accepted.")
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_DOCUMENT_SIZE)},
            code="too_large",
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type, size
    raise ValidationError(
        _("Only PDF, PNG or JPEG documents are accepted; this file's content is none of them."),
        code="type",
    )
