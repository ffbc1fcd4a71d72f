from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from api import views
from kopnet import links
from partnerships.models import REFERENCE_FORM

app_name = "api"
# Records' API addresses written without reverse() for each: the open data snapshots
# write one for each of a million partnerships (api.opendata).
for name, form, stand_in in [
    ("cooperative-detail", links.SLUG, "kn-stand-in"),
    ("partner-detail", links.SLUG, "kn-stand-in"),
    ("partnership-detail", REFERENCE_FORM, "KS-0000-000000"),
]:
    links.keyed(f"{app_name}:{name}", form, stand_in)

router = SimpleRouter()
router.register("cooperatives", views.CooperativeViewSet, basename="cooperative")
router.register("partners", views.PartnerViewSet, basename="partner")
router.register("partnerships", views.PartnershipViewSet, basename="partnership")
router.register("provinces", views.ProvinceViewSet, basename="province")
router.register("regencies", views.RegencyViewSet, basename="regency")
router.register("sectors", views.SectorViewSet, basename="sector")
router.register("objectives", views.ObjectiveViewSet, basename="objective")
router.register("fields", views.CooperationFieldViewSet, basename="field")
router.register("memberships", views.MembershipViewSet, basename="membership")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/changes/", views.ChangesView.as_view(), name="changes"),
    path("v1/statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
