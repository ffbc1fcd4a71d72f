"""Pages of an API list that stay cheap however deep a client reads: keyset ("cursor")
pagination over the list's own order.

Every order of the pages' FilterSets ends with the primary key (kopnet.filters.SortFilter),
so a row's values in that order say exactly where it stands. A cursor is those values
of the last row sent, opaque to the client; the next page is the rows after it, which
the database finds by the same (verification, field, id) indexes that sort the list:
the page after 10,000 rows costs what the first costs, where an OFFSET walks them all.
"""

import base64
import binascii
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def order_keys(queryset):
    """[(field name, descending, nulls last)] of the queryset's order. Expressions
    that the search wraps around a field (COALESCE(x, x): kopnet.filters.matches_first)
    are read as the field; a field through a relation as the model's own field of that
    name, which it copies (the kept rows a list filtered by province sorts by:
    partnerships.filters.kept_order)."""
    keys = []
    for item in queryset.query.order_by or queryset.model._meta.ordering:
        if isinstance(item, str):
            name, descending, nulls_last = item.lstrip("-"), item.startswith("-"), None
        else:
            expression = item.expression if isinstance(item, OrderBy) else item
            if isinstance(expression, Coalesce):
                expression = expression.get_source_expressions()[0]
            if not isinstance(expression, F):
                raise TypeError(f"Keyset pages need orders by fields, not {item!r}.")
            name, descending, nulls_last = expression.name, item.descending, item.nulls_last
        name = name.rsplit("__", 1)[-1]
        queryset.model._meta.get_field("id" if name == "pk" else name)  # FieldDoesNotExist: no copy to read
        keys.append(("pk" if name == "id" else name, descending, nulls_last))
    if not keys or keys[-1][0] not in ("pk", "id"):
        raise TypeError("Keyset pages need an order that ends with the primary key.")
    return keys


def after(keys, values):
    """The rows after one with these values, in the order of `keys`: a leading
    `field >= value` the index can start from, then the exact lexicographic test."""
    exact = Q(pk__in=[])
    equal = Q()
    for (name, descending, nulls_last), value in zip(keys, values):
        if value is None:
            # Only explicitly "nulls last" fields may be null: after a null come the
            # nulls with a greater key.
            beyond = Q(pk__in=[])
            same = Q(**{f"{name}__isnull": True})
        else:
            beyond = Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
            if nulls_last:
                beyond |= Q(**{f"{name}__isnull": True})
            same = Q(**{name: value})
        exact |= equal & beyond
        equal &= same
    name, descending, _nulls = keys[0]
    if values[0] is None:
        return Q(**{f"{name}__isnull": True}) & exact
    start = Q(**{f"{name}__{'lte' if descending else 'gte'}": values[0]})
    if keys[0][2]:
        start |= Q(**{f"{name}__isnull": True})
    return start & exact


class KeysetPagination(BasePagination):
    """`limit` rows (DEFAULT_LIMIT, at most MAX_LIMIT) from `cursor`; the answer holds
    `results` and the address of the `next` page (null on the last)."""

    cursor_query_param = "cursor"
    limit_query_param = "limit"
    invalid_cursor = _("This cursor is not one this list gave: start again without it.")
    invalid_limit = _("The limit is a whole number from 1 to %(max)d.")

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.read_limit(request)
        self.keys = order_keys(queryset)
        meta = queryset.model._meta
        self.fields = [meta.pk if name == "pk" else meta.get_field(name) for name, *_rest in self.keys]
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor is not None:
            queryset = queryset.filter(after(self.keys, self.decode(cursor)))
        rows = list(queryset[: self.limit + 1])
        self.next_values = None
        if len(rows) > self.limit:
            rows = rows[: self.limit]
            self.next_values = [self.value_of(rows[-1], name) for name, *_rest in self.keys]
        return rows

    def read_limit(self, request):
        value = request.query_params.get(self.limit_query_param)
        if value is None:
            return DEFAULT_LIMIT
        if not (value.isascii() and value.isdigit() and len(value) < 6 and 1 <= int(value) <= MAX_LIMIT):
            raise ValidationError({self.limit_query_param: [self.invalid_limit % {"max": MAX_LIMIT}]})
        return int(value)

    @staticmethod
    def value_of(row, name):
        return row.pk if name == "pk" else getattr(row, name)

    def encode(self, values):
        text = json.dumps([None if value is None else str(value) for value in values], separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def decode(self, cursor):
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            raw = json.loads(text)
            if not isinstance(raw, list) or len(raw) != len(self.keys):
                raise ValueError(cursor)
            return [
                None if value is None else field.to_python(value) if isinstance(value, str) else self.refuse()
                for field, value in zip(self.fields, raw)
            ]
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, DjangoValidationError):
            self.refuse()

    def refuse(self):
        raise ValidationError({self.cursor_query_param: [self.invalid_cursor]})

    def get_next_link(self):
        if self.next_values is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.encode(self.next_values))

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: the `next` address of the page before holds it.",
                "schema": {"type": "string"},
            },
            {
                "name": self.limit_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows a page, {DEFAULT_LIMIT} unless given, at most {MAX_LIMIT}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            },
        ]
