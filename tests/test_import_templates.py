"""Imports people can prepare (issue 12): each import page offers a template in CSV and
XLSX (the importer's columns and an example row that imports as it is), lists the
valid codes of its columns, and speaks Indonesian from its first line."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kopnet.models import Verification
from partnerships.models import Partnership
from partnerships.resources import PartnershipResource
from registry.models import Cooperative, Partner, Sector
from registry.resources import CooperativeResource, PartnerResource
from tests.factories import CooperativeFactory, UserFactory

CSV_FORMAT, XLSX_FORMAT = "0", "1"
FORMATS = {"csv": CSV_FORMAT, "xlsx": XLSX_FORMAT}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# admin URL name prefix, resource, model
IMPORTERS = {
    "cooperative": ("registry_cooperative", CooperativeResource, Cooperative),
    "partner": ("registry_partner", PartnerResource, Partner),
    "partnership": ("partnerships_partnership", PartnershipResource, Partnership),
}


@pytest.fixture(autouse=True)
def _english(client, settings):
    # Messages are read in English here unless a test asks for Indonesian.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def two_cooperatives(db):
    # A partnership's example names two cooperatives of the registry.
    return [
        CooperativeFactory(slug="koperasi-tani-makmur", verification=Verification.VERIFIED),
        CooperativeFactory(slug="koperasi-nelayan-sejahtera", verification=Verification.VERIFIED),
    ]


def template_url(kind, extension):
    return reverse(f"admin:{IMPORTERS[kind][0]}_import_template", args=[extension])


def import_url(kind):
    return reverse(f"admin:{IMPORTERS[kind][0]}_import")


def read_rows(response, extension):
    """The template's rows as lists of text."""
    if extension == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]


def import_columns(resource_class):
    return [field.column_name for field in resource_class(importing=True).get_user_visible_fields()]


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", IMPORTERS)
def test_template_has_the_importers_columns_in_order_and_one_example(curator, two_cooperatives, kind, extension):
    response = curator.get(template_url(kind, extension))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv" if extension == "csv" else XLSX_TYPE)
    assert f'filename="{kind}-import-template.{extension}"' in response["Content-Disposition"]
    header, *examples = read_rows(response, extension)
    assert header == import_columns(IMPORTERS[kind][1])
    assert "verification" not in header
    assert len(examples) == 1 and len(examples[0]) == len(header)


def test_cooperative_template_starts_with_the_slug_and_leaves_it_empty(curator):
    header, example = read_rows(curator.get(template_url("cooperative", "csv")), "csv")

    row = dict(zip(header, example))
    assert header[0] == "slug" and row["slug"] == ""  # a new record
    assert row["province_code"] == "32" and row["tier"] == "primer"


def test_partnership_example_names_cooperatives_of_the_registry(curator, two_cooperatives):
    header, example = read_rows(curator.get(template_url("partnership", "csv")), "csv")

    row = dict(zip(header, example))
    assert row["reference"] == ""
    assert row["initiator"] == "koperasi-nelayan-sejahtera"
    assert row["parties"] == "coop:koperasi-nelayan-sejahtera|coop:koperasi-tani-makmur"


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", IMPORTERS)
def test_the_downloaded_template_imports_as_a_pending_record(curator, two_cooperatives, kind, extension):
    model = IMPORTERS[kind][2]
    before = set(model.objects.values_list("pk", flat=True))
    template = curator.get(template_url(kind, extension))
    upload = SimpleUploadedFile(f"template.{extension}", template.content, content_type=template["Content-Type"])

    preview = curator.post(import_url(kind), {"resource": "0", "format": FORMATS[extension], "import_file": upload})

    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is not None, preview.context.get("bad_rows")
    form = preview.context["confirm_form"]
    done = curator.post(
        reverse(f"admin:{IMPORTERS[kind][0]}_process_import"), {name: form[name].value() for name in form.fields}
    )
    assert done.status_code == 302
    (created,) = model.objects.exclude(pk__in=before)
    assert created.verification == Verification.PENDING


def test_the_example_cannot_run_as_a_formula(curator, monkeypatch):
    monkeypatch.setattr(CooperativeResource, "example", {**CooperativeResource.example, "name": "=HYPERLINK(1)"})

    for extension in ("csv", "xlsx"):
        header, example = read_rows(curator.get(template_url("cooperative", extension)), extension)
        assert dict(zip(header, example))["name"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_only_who_may_import_downloads_the_template(client, official, extension):
    # A signed-in official is not staff: the admin sends them to its login.
    assert official.get(template_url("cooperative", extension)).status_code == 302
    # Staff without the right to add (and so to import) cooperatives: refused, as the import page.
    client.force_login(UserFactory(username="staff_without_rights", is_staff=True))
    assert client.get(import_url("cooperative")).status_code == 403
    assert client.get(template_url("cooperative", extension)).status_code == 403


def test_an_unknown_template_format_is_not_found(curator):
    assert curator.get(template_url("cooperative", "csv").replace(".csv", ".ods")).status_code == 404


def test_the_import_pages_link_to_their_templates(curator):
    for kind in IMPORTERS:
        page = curator.get(import_url(kind)).content.decode()
        assert template_url(kind, "csv") in page and template_url(kind, "xlsx") in page


def test_valid_codes_list_each_kind_of_the_importers_columns(curator):
    cooperative = curator.get(import_url("cooperative")).content.decode()
    for column in ("tier", "type", "scope", "status", "sectors", "province_code"):
        assert f'<details id="codes-{column}">' in cooperative
    assert "<code>sekunder</code>" in cooperative and "<code>serba_usaha</code>" in cooperative
    assert "<code>kabupaten_kota</code>" in cooperative and "<code>dibubarkan</code>" in cooperative
    assert "<code>pertanian</code>" in cooperative and "<code>32</code>" in cooperative
    assert 'id="codes-kind"' not in cooperative

    partner = curator.get(import_url("partner")).content.decode()
    assert '<details id="codes-kind">' in partner and "<code>bumn</code>" in partner
    assert "<code>32</code>" in partner and 'id="codes-tier"' not in partner

    partnership = curator.get(import_url("partnership")).content.decode()
    for column in ("direction", "status", "new_entity_kind", "objectives", "fields"):
        assert f'<details id="codes-{column}">' in partnership
    assert "<code>vertikal</code>" in partnership and "<code>daya-tawar</code>" in partnership
    assert "<code>pemasaran</code>" in partnership


def table_queries(queries, table):
    return [query for query in queries if f'FROM "{table}"' in query["sql"]]


def test_valid_codes_read_each_table_once_however_long(curator):
    url = import_url("cooperative")
    curator.get(url)  # sessions, permissions and the like warmed
    with CaptureQueriesContext(connection) as few:
        curator.get(url)
    Sector.objects.bulk_create(Sector(slug=f"sektor-{n}", name=f"Sektor {n}", name_en=f"Sector {n}") for n in range(30))
    with CaptureQueriesContext(connection) as many:
        curator.get(url)

    assert len(table_queries(many.captured_queries, "registry_sector")) == 1
    assert len(table_queries(many.captured_queries, "registry_province")) == 1
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_cooperative_help_names_only_columns_the_importer_takes(curator):
    page = " ".join(curator.get(import_url("cooperative")).content.decode().split())
    help_text = page[page.index("kopnet-import-help") : page.index("kopnet-valid-codes")]

    assert "kind" not in help_text  # a partner's column
    for column in ("province_code", "sectors", "individual_members", "nik", "founded", "legal_date"):
        assert column in import_columns(CooperativeResource) and column in help_text


# English of the import page that has Indonesian in our catalogue (ours and
# django-import-export's, which has none of its own): none of it may show.
ENGLISH = (
    "This importer will import the following fields:",
    "Start from the template",
    "Valid codes",
    "Codes, not names",
    "The first row names the columns",
    "Tiers",
    "Partner kinds",
    "Directions",
    "File to import",
    "Resource",
    "Submit",
)


@pytest.mark.parametrize("kind", IMPORTERS)
def test_the_import_page_speaks_indonesian(curator, settings, kind):
    curator.cookies.pop(settings.LANGUAGE_COOKIE_NAME)

    page = " ".join(curator.get(import_url(kind)).content.decode().split())

    assert '<html lang="id"' in page
    assert "Impor ini membaca kolom-kolom berikut:" in page
    assert "Kode yang berlaku" in page and "Templat (CSV)" in page
    for english in ENGLISH:
        assert english not in page
