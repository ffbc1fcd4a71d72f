from django.urls import path

from kopnet.cache import cached_for_visitors
from registry import views

app_name = "registry"
urlpatterns = [
    path("koperasi/", cached_for_visitors(views.CooperativeListView.as_view()), name="cooperative_list"),
    # Before the profile's route, which would take "baru" for a slug.
    path("koperasi/baru/", views.cooperative_create, name="cooperative_create"),
    path("koperasi/<slug:slug>/", cached_for_visitors(views.CooperativeDetailView.as_view()), name="cooperative_detail"),
    path("koperasi/<slug:slug>/ubah/", views.cooperative_update, name="cooperative_update"),
    path("akun/wakili/", views.representation_request, name="representation_request"),
    path("mitra/", cached_for_visitors(views.PartnerListView.as_view()), name="partner_list"),
    path("mitra/<slug:slug>/", cached_for_visitors(views.PartnerDetailView.as_view()), name="partner_detail"),
]
