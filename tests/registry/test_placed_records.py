"""Issue 13 §3: cooperatives and partners placed by the Kemendagri codes of their
regency/city, district and village. The levels hold together in the database and at
each form's field; the pickers read the places within the one above; a new Indonesian
cooperative names its regency; the free-text regencies of earlier records are matched
to codes where the names agree; the lists filter by regency under a province; the
CSV, the statistics and the suggestions follow."""

import csv
import io
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client

from kopnet.models import Verification
from partnerships import selectors
from registry.models import Cooperative, District, Partner, Regency, Village
from registry.services import regencies_match
from tests.factories import CooperativeFactory, CuratorFactory, PartnerFactory, UserFactory, province, sector

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def places(db):
    """A few real places (the whole set is tests/registry/test_places.py's)."""
    province("31"), province("32")
    for code, name in [
        ("32.04", "Kabupaten Bandung"), ("32.73", "Kota Bandung"), ("32.05", "Kabupaten Garut"),
        ("31.71", "Kota Administrasi Jakarta Pusat"),
    ]:  # fmt: skip
        Regency.objects.create(code=code, province_id=code[:2], name=name)
    District.objects.create(code="32.04.05", regency_id="32.04", name="Cileunyi")
    District.objects.create(code="32.04.06", regency_id="32.04", name="Cimenyan")
    District.objects.create(code="32.05.01", regency_id="32.05", name="Garut Kota")
    Village.objects.create(code="32.04.05.2001", district_id="32.04.05", name="Cileunyi Kulon")
    Village.objects.create(code="32.04.06.2001", district_id="32.04.06", name="Mandalamekar")


def placed(model=Cooperative, **places):
    factory = CooperativeFactory if model is Cooperative else PartnerFactory
    return factory(province=province("32"), **places)


# --- the levels hold together -------------------------------------------------------------


@pytest.mark.parametrize(
    "places, field",
    [
        ({"regency_place_id": "31.71"}, "regency_place"),  # in another province
        ({"district_id": "32.04.05"}, "district"),  # no regency
        ({"regency_place_id": "32.05", "district_id": "32.04.05"}, "district"),  # another regency's
        ({"regency_place_id": "32.04", "district_id": "32.04.05", "village_id": "32.04.06.2001"}, "village"),
        ({"regency_place_id": "32.04", "village_id": "32.04.05.2001"}, "village"),  # no district
    ],
)
@pytest.mark.parametrize("model", [Cooperative, Partner])
def test_a_place_outside_the_one_above_is_refused_at_its_field_and_by_the_database(model, places, field):
    record = placed(model)
    for name, value in places.items():
        setattr(record, name, value)
    with pytest.raises(ValidationError) as refused:
        record.full_clean()
    assert field in refused.value.message_dict
    # The other door: an UPDATE that no clean() sees.
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=record.pk).update(**places)
    record.refresh_from_db()
    assert record.regency_place_id is None


def test_a_cooperative_placed_down_to_its_village_keeps_its_regencys_own_name():
    coop = placed(regency="Kab. Bandung")
    coop.regency_place_id, coop.district_id, coop.village_id = "32.04", "32.04.05", "32.04.05.2001"
    coop.full_clean()
    coop.save()
    coop.refresh_from_db()
    assert coop.regency == "Kabupaten Bandung"
    assert (coop.district.name, coop.village.name) == ("Cileunyi", "Cileunyi Kulon")


# --- the pickers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "within, names",
    [
        ("32", ["Kabupaten Bandung", "Kabupaten Garut", "Kota Bandung"]),
        ("32.04", ["Cileunyi", "Cimenyan"]),
        ("32.04.06", ["Mandalamekar"]),
        ("99.99", []),  # a code of no place has none within it
    ],
)
def test_the_pickers_read_the_places_within_one_by_name(within, names):
    response = Client().get("/wilayah/", {"within": within})
    assert response.status_code == 200
    assert [place["name"] for place in response.json()["results"]] == names
    assert "public" in response["Cache-Control"]


@pytest.mark.parametrize("within", ["", "3", "32.4", "32.04.05.2001", "32\x00", "x" * 500])
@pytest.mark.parametrize("language, word", [("id", "Sebutkan"), ("en", "Name")])
def test_the_pickers_refuse_what_is_no_code_with_a_message(within, language, word):
    client = Client()
    client.cookies["django_language"] = language
    response = client.get("/wilayah/", {"within": within})
    assert response.status_code == 400
    assert response.json()["errors"]["within"][0].startswith(word)


NEW = {
    "name": "Koperasi Serba Usaha Cileunyi",
    "tier": "primer",
    "type": "serba_usaha",
    "status": "aktif",
    "country": "ID",
    "province": "32",
    "individual_members": "40",
    "scope": "kabupaten_kota",
}


@pytest.fixture
def user_client():
    client = Client()
    client.force_login(UserFactory(username="pendaftar"))
    return client


def test_the_form_offers_the_places_within_the_choice_above(user_client):
    # Sent back with an error elsewhere: the lists follow what was sent.
    response = user_client.post("/koperasi/baru/", {**NEW, "name": "", "regency_place": "32.04"})
    form = response.context["form"]
    assert response.status_code == 400
    regencies = [value for value, _label in form.fields["regency_place"].widget.choices if value]
    districts = [value for value, _label in form.fields["district"].widget.choices if value]
    assert regencies == ["32.04", "32.05", "32.73"] and districts == ["32.04.05", "32.04.06"]


def test_a_new_indonesian_cooperative_names_its_regency_and_may_name_district_and_village(user_client):
    response = user_client.post("/koperasi/baru/", NEW)
    assert response.status_code == 400
    assert "regency_place" in response.context["form"].errors
    assert not Cooperative.objects.filter(name=NEW["name"]).exists()

    places = {"regency_place": "32.04", "district": "32.04.05", "village": "32.04.05.2001"}
    response = user_client.post("/koperasi/baru/", {**NEW, **places})
    assert response.status_code == 302
    coop = Cooperative.objects.get(name=NEW["name"])
    assert (coop.regency_place_id, coop.district_id, coop.village_id, coop.regency) == (
        "32.04", "32.04.05", "32.04.05.2001", "Kabupaten Bandung",
    )  # fmt: skip
    page = user_client.get(f"/koperasi/{coop.slug}/").content.decode()
    assert 'href="/koperasi/?province=32&amp;regency=32.04">Kabupaten Bandung</a>' in page
    assert "Cileunyi Kulon" in page


@pytest.mark.parametrize(
    "places, field",
    [
        ({"regency_place": "31.71"}, "regency_place"),
        ({"regency_place": "32.05", "district": "32.04.05"}, "district"),
        ({"regency_place": "32.04", "district": "32.04.05", "village": "32.04.06.2001"}, "village"),
        ({"regency_place": "32.04\x00"}, "regency_place"),
    ],
)
def test_a_forged_place_is_a_form_error_and_saves_nothing(user_client, places, field):
    response = user_client.post("/koperasi/baru/", {**NEW, **places})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Cooperative.objects.filter(name=NEW["name"]).exists()


def test_a_province_with_no_places_loaded_asks_for_no_regency(user_client):
    province("11")  # Aceh: none of its regencies loaded here
    response = user_client.post("/koperasi/baru/", {**NEW, "province": "11"})
    assert response.status_code == 302


def test_a_curator_places_a_partner_in_the_admin():
    partner = PartnerFactory(province=province("32"))
    client = Client()
    client.force_login(CuratorFactory())
    page = client.get(f"/admin/registry/partner/{partner.pk}/change/")
    assert page.status_code == 200 and b"js/places.js" in page.content
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data |= {"regency_place": "32.04", "district": "32.04.06", "village": "", "_save": "Save"}
    response = client.post(f"/admin/registry/partner/{partner.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    partner.refresh_from_db()
    assert (partner.regency_place_id, partner.district_id) == ("32.04", "32.04.06")


# --- the free-text regencies of earlier records --------------------------------------------


def test_typed_regencies_are_coded_where_the_name_says_which_and_the_rest_wait_for_a_curator():
    garut = placed(regency="Garut")  # one regency of the province has the name
    city = placed(regency="KOTA BANDUNG")
    jakarta = CooperativeFactory(province=province("31"), regency="Jakarta Pusat")
    bandung = placed(regency="Bandung")  # a regency and a city: not said which
    elsewhere = placed(regency="Kabupaten Sleman")  # not in this province
    none = placed(regency="")

    out = StringIO()
    call_command("loadplaces", stdout=out)  # the files add what is missing, then the match runs

    for coop in (garut, city, jakarta, bandung, elsewhere, none):
        coop.refresh_from_db()
    assert [garut.regency_place_id, city.regency_place_id, jakarta.regency_place_id] == ["32.05", "32.73", "31.71"]
    assert (garut.regency, jakarta.regency) == ("Kabupaten Garut", "Kota Administrasi Jakarta Pusat")
    assert [bandung.regency_place_id, elsewhere.regency_place_id, none.regency_place_id] == [None, None, None]
    assert garut.history.first().history_change_reason == "regency coded"
    assert "3 cooperatives' regencies coded; 2 left" in out.getvalue()
    assert regencies_match() == (0, 2)  # a second run finds nothing new

    # The curator's list of what is left.
    client = Client()
    client.force_login(CuratorFactory())
    response = client.get("/admin/registry/cooperative/", {"regency_code": "to_code"})
    listed = {row.pk for row in response.context["cl"].result_list}
    assert listed == {bandung.pk, elsewhere.pk}


# --- the lists, the CSV ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/koperasi/", "/mitra/"])
def test_lists_filter_by_regency_under_a_province(path, page_cache):
    model = Cooperative if path == "/koperasi/" else Partner
    inside = placed(model, name="Di Kabupaten Bandung", regency_place_id="32.04")
    placed(model, name="Di Kota Bandung", regency_place_id="32.73")
    placed(model, name="Menunggu di Bandung", regency_place_id="32.04", verification=Verification.PENDING)
    visitor = Client()
    for params in ({"province": "32", "regency": "32.04"}, {"regency": "32.04"}):
        response = visitor.get(path, params)
        assert response.status_code == 200
        assert [row.name for row in response.context["object_list"]] == [inside.name]
    # The list is cached: moving a record to the regency shows it.
    moved = model.objects.get(name="Di Kota Bandung")
    moved.regency_place_id = "32.04"
    moved.save()
    response = visitor.get(path, {"province": "32", "regency": "32.04"})
    assert sorted(row.name for row in response.context["object_list"]) == ["Di Kabupaten Bandung", "Di Kota Bandung"]


@pytest.mark.parametrize("path", ["/koperasi/", "/mitra/"])
@pytest.mark.parametrize(
    "params",
    [{"province": "31", "regency": "32.04"}, {"regency": "99.99"}, {"regency": "32"}, {"regency": "32.04\x00"}],
)
def test_a_regency_that_makes_no_sense_is_a_400_with_the_forms_message(path, params):
    response = Client().get(path, params)
    assert response.status_code == 400
    assert "regency" in response.context["filter"].form.errors


def test_the_filter_form_offers_the_regencies_of_the_province_chosen():
    response = Client().get("/koperasi/", {"province": "32"})
    choices = [value for value, _label in response.context["filter"].form.fields["regency"].widget.choices]
    assert choices == ["", "32.04", "32.05", "32.73"]
    assert 'data-places-url="/wilayah/"' in response.content.decode()


def test_a_visitors_search_filters_by_regency_too():
    placed(name="Koperasi Tani Cileunyi", regency_place_id="32.04")
    placed(name="Koperasi Tani Garut", regency_place_id="32.05")
    response = Client().get("/koperasi/", {"q": "tani", "province": "32", "regency": "32.04"})
    assert [row.name for row in response.context["object_list"]] == ["Koperasi Tani Cileunyi"]


def test_the_partner_csv_appends_the_regency_code():
    placed(Partner, name="PT Di Bandung", regency_place_id="32.04")
    body = b"".join(Client().get("/mitra/", {"format": "csv"}).streaming_content).decode()
    [row] = list(csv.DictReader(io.StringIO(body)))
    assert list(row)[-2:] == ["url", "regency_code"] and row["regency_code"] == "32.04"


# --- statistics, suggestions ---------------------------------------------------------------


def test_a_provinces_statistics_count_its_cooperatives_by_regency(page_cache, django_assert_num_queries):
    for _n in range(3):
        placed(regency_place_id="32.04")
    placed(regency_place_id="32.05")
    placed(regency="Bandung")  # not coded
    placed(regency_place_id="32.04", verification=Verification.PENDING)
    visitor = Client()

    response = visitor.get("/statistik/wilayah/", {"province": "32"})

    assert response.status_code == 200
    assert response.context["regencies"] == [
        ("32.04", "Kabupaten Bandung", 3), ("32.05", "Kabupaten Garut", 1), ("32.73", "Kota Bandung", 0),
    ]  # fmt: skip
    assert response.context["uncoded"] == 1
    assert 'href="/koperasi/?province=32&amp;regency=32.04">3</a>' in response.content.decode()
    # Cached: a cooperative moved to another regency moves its number.
    Cooperative.objects.filter(regency_place_id="32.05").update(regency_place_id="32.73")
    response = visitor.get("/statistik/wilayah/", {"province": "32"})
    assert dict((code, n) for code, _name, n in response.context["regencies"])["32.73"] == 1


@pytest.mark.parametrize("params", [{"province": ""}, {"province": "00"}, {"province": "3"}, {"province": "32\x00"}])
def test_a_wrong_province_for_the_statistics_is_the_forms_message_and_a_400(params):
    response = Client().get("/statistik/wilayah/", params)
    assert response.status_code == 400
    assert "province" in response.context["form"].errors


def test_the_statistics_by_regency_without_a_province_ask_for_one():
    response = Client().get("/statistik/wilayah/")
    assert response.status_code == 200 and "regencies" not in response.context


def test_horizontal_suggestions_put_the_same_regency_first():
    anonymous = AnonymousUser()
    farmer = placed(name="KUD Cileunyi", regency_place_id="32.04", sectors=[sector("pertanian"), sector("perikanan")])
    placed(name="Garut, dua sektor", regency_place_id="32.05", sectors=[sector("pertanian"), sector("perikanan")])
    placed(name="Tetangga, satu sektor", regency_place_id="32.04", sectors=[sector("pertanian")])

    suggested = selectors.horizontal_suggestions(farmer, anonymous)

    assert [coop.name for coop in suggested] == ["Tetangga, satu sektor", "Garut, dua sektor"]
