"""What the registration form sends: POST data built the way a browser fills it in."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from partnerships.models import Partnership, PartnershipDocument, PartnershipParty
from registry.models import Cooperative, Partner

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def pdf(name="perjanjian.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def token(organisation):
    kind = "cooperative" if isinstance(organisation, Cooperative) else "partner"
    return f"{kind}:{organisation.pk}"


def form_data(initiator=None, others=(), documents=(), by_name=False, **fields):
    """The form as sent. `others` are organisations or (organisation, role) pairs;
    the pickers fill in the chosen organisation (`by_name`: only its name is typed,
    as without JavaScript). `documents` are (title, file) pairs."""
    rows = [other if isinstance(other, tuple) else (other, "member") for other in others]
    data = {
        "initiator_role": "initiator",
        "parties-TOTAL_FORMS": str(max(len(rows), 1)),
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "30",
        "parties-0-organisation": "",
        "parties-0-organisation_ref": "",
        "parties-0-role": "member",
        "title": "Kerjasama pemasaran hasil tani",
        "description": "Pemasaran bersama gabah anggota.",
        "start_date": "2026-02-01",
        "end_date": "",
        "status": "berjalan",
        "direction": "horizontal",
        "new_entity_name": "",
        "new_entity_kind": "",
        "new_entity_record": "",
        "new_entity_record_ref": "",
        "value": "",
        "currency": "IDR",
        "new_partner-name": "",
        "new_partner-kind": "",
        "new_partner-country": "ID",
        "new_partner-province": "",
        "new_partner-regency_place": "",
        "new_partner-role": "member",
        "documents-TOTAL_FORMS": str(max(len(documents), 1)),
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "10",
        "documents-0-title": "",
        "documents-0-date": "",
    }
    if initiator is not None:
        data["cooperative"] = str(initiator.pk)
    for i, (organisation, role) in enumerate(rows):
        data[f"parties-{i}-organisation"] = organisation.name
        data[f"parties-{i}-organisation_ref"] = "" if by_name else token(organisation)
        data[f"parties-{i}-role"] = role
    for i, (title, file) in enumerate(documents):
        data[f"documents-{i}-title"] = title
        data[f"documents-{i}-date"] = "2026-01-20"
        data[f"documents-{i}-file"] = file
    data.update(fields)
    return data


def edit_data(partnership, others=(), documents=(), **fields):
    """The edit form as sent: the partnership's current values, the other parties
    given (in place of the current ones), new documents."""
    data = form_data(
        None,
        others,
        documents,
        title=partnership.title,
        description=partnership.description,
        start_date=partnership.start_date.isoformat(),
        end_date=partnership.end_date.isoformat() if partnership.end_date else "",
        status=partnership.status,
        direction=partnership.direction,
        currency=partnership.currency,
        # The hidden field of a page opened now: the stored version.
        version=type(partnership).objects.values_list("version", flat=True).get(pk=partnership.pk),
    )
    # The page offered a row for each party but the initiator's.
    data["parties-INITIAL_FORMS"] = str(partnership.parties.exclude(cooperative=partnership.initiator).count())
    data.update(fields)
    return data


def stored_files(media_root):
    root = Path(media_root)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def nothing_saved(media_root, partners_before=0):
    return (
        Partnership.objects.count() == 0
        and PartnershipParty.objects.count() == 0
        and PartnershipDocument.objects.count() == 0
        and Partner.objects.count() == partners_before
        and stored_files(media_root) == []
    )
