"""The OpenAPI schema (drf-spectacular): the parameters every list and record takes
(fields=, brief=1), and the pages' filters: a choice of a record by its code or slug
(kopnet.filters.CodeChoiceFilter: a province, regency, sector, party) is a string of
that code's pattern, and a country an ISO 3166 code, where drf-spectacular's own
guess finds no model field to read them from."""

from django_countries import countries
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_parameter_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from kopnet.filters import CodeChoiceFilter, CountryFilter


class PageFilterExtension(DjangoFilterExtension):
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        if isinstance(filter_field, CodeChoiceFilter):
            schema = {"type": "string", "pattern": f"^{filter_field.extra['pattern']}$"}
        elif isinstance(filter_field, CountryFilter):
            schema = {"type": "string", "enum": [code for code, _name in countries]}
        else:
            return super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        return [
            build_parameter_type(
                name=field_name,
                required=False,
                location=OpenApiParameter.QUERY,
                description=str(filter_field.label or ""),
                schema=schema,
            )
        ]


class ApiSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if getattr(self.view, "brief_fields", None) is not None:
            parameters += [
                OpenApiParameter(
                    "fields", OpenApiTypes.STR, description="The fields each row holds, comma-separated (all if not given)."
                ),
                OpenApiParameter(
                    "brief", OpenApiTypes.BOOL, description=f"1: only {', '.join(self.view.brief_fields) or 'the key'}."
                ),
            ]
        return parameters


class TokenScheme(OpenApiAuthenticationExtension):
    """A personal token (api.authentication.TokenAuthentication), in the docs' Authorize box."""

    target_class = "api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token kn_…` (or `Bearer kn_…`): a token made on your account page, /akun/token-api/.",
        }
