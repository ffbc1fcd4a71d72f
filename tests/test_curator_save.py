"""A curator's edit (the admin's change form, a spreadsheet import) is one locked
service, kopnet.services.curator_save: it refuses a version the curator did not see,
naming what changed, writes only the columns that differ and moves the version on."""

import pytest
from django.core.exceptions import ValidationError

from kopnet.services import StaleVersion, curator_save
from registry import services as registry_services
from registry.models import Cooperative
from tests.factories import CooperativeFactory, RepresentationFactory, UserFactory

pytestmark = pytest.mark.django_db


def opened(cooperative):
    """The cooperative as the curator's form loaded it."""
    return Cooperative.objects.get(pk=cooperative.pk)


def test_the_edit_writes_the_changed_columns_and_moves_the_version_on(curator_user):
    cooperative = CooperativeFactory(regency="Kabupaten Bogor")
    edited = opened(cooperative)
    edited.regency = "Kota Bandung"

    curator_save(curator=curator_user, record=edited, fields=["name", "regency"], version=cooperative.version)

    stored = opened(cooperative)
    assert (stored.regency, stored.version) == ("Kota Bandung", cooperative.version + 1)
    assert edited.version == stored.version  # the admin logs and saves related rows on it
    assert stored.history.first().history_user == curator_user


def test_a_column_the_curator_did_not_change_keeps_what_another_writer_put_there(curator_user):
    cooperative = CooperativeFactory(phone="+62 21 111111")
    edited = opened(cooperative)
    # Written meanwhile by a path that keeps the version (derived values, a raw update).
    Cooperative.objects.filter(pk=cooperative.pk).update(phone="+62 21 222222")
    edited.regency = "Kota Bandung"

    curator_save(curator=curator_user, record=edited, fields=["regency", "sectors"], version=cooperative.version)

    stored = opened(cooperative)
    assert (stored.regency, stored.phone) == ("Kota Bandung", "+62 21 222222")


def test_a_version_that_moved_on_is_refused_naming_what_changed(curator_user):
    cooperative = CooperativeFactory(verification="pending", phone="+62 21 111111")
    official = UserFactory()
    RepresentationFactory(user=official, cooperative=cooperative)
    version = cooperative.version
    changed = opened(cooperative)
    changed.phone = "+62 21 999999"
    registry_services.cooperative_update(user=official, cooperative=changed, sectors=[], version=version)
    edited = opened(cooperative)
    edited.regency = "Kota Bandung"

    with pytest.raises(StaleVersion) as refused:
        curator_save(curator=curator_user, record=edited, fields=["regency"], version=version)

    assert refused.value.code == "stale"
    assert refused.value.changed == [str(Cooperative._meta.get_field("phone").verbose_name)]
    assert opened(cooperative).regency != "Kota Bandung"


def test_only_a_curator_may_edit_through_it(cooperative_a):
    official = UserFactory()
    RepresentationFactory(user=official, cooperative=cooperative_a)
    edited = opened(cooperative_a)
    edited.regency = "Kota Bandung"

    with pytest.raises(ValidationError) as refused:
        curator_save(curator=official, record=edited, fields=["regency"], version=cooperative_a.version)

    assert refused.value.code == "forbidden"
    assert opened(cooperative_a).regency != "Kota Bandung"


def test_a_new_record_is_created_in_the_curators_name(curator_user):
    new = CooperativeFactory.build(name="Koperasi Baru Kurator")

    curator_save(curator=curator_user, record=new, fields=["name"], reason="imported")

    stored = Cooperative.objects.get(name="Koperasi Baru Kurator")
    assert stored.history.first().history_user == curator_user
    assert stored.history.first().history_change_reason == "imported"
