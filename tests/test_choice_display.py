"""ChoiceDisplayMixin answers get_FOO_display() as Django's own does, in each language,
for every value a field may hold (an unknown one too)."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from kopnet.models import ChoiceDisplayMixin


def displayed_fields():
    for model in apps.get_models():
        if issubclass(model, ChoiceDisplayMixin):
            for field in model._meta.concrete_fields:
                if field.choices:
                    yield model, field


def test_the_models_that_list_pages_show_answer_fast():
    names = {model.__name__ for model, _field in displayed_fields()}
    assert {"Cooperative", "Partner", "Partnership", "PartnershipParty", "Representation"} <= names


@pytest.mark.parametrize("language", ["id", "en"])
def test_each_label_is_djangos_in_the_readers_language(language):
    checked = 0
    with translation.override(language):
        for model, field in displayed_fields():
            for value in [value for value, _label in field.flatchoices] + ["not-a-choice", None]:
                record = model()
                setattr(record, field.attname, value)
                mine = getattr(record, f"get_{field.name}_display")()
                django = models.Model._get_FIELD_display(record, field)
                assert mine == django and type(mine) is type(django), (model, field.name, value)
                checked += 1
    assert checked > 50
