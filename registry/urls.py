from django.urls import path

from registry import views

app_name = "registry"
urlpatterns = [
    path("koperasi/", views.CooperativeListView.as_view(), name="cooperative_list"),
    path("koperasi/<slug:slug>/", views.CooperativeDetailView.as_view(), name="cooperative_detail"),
    path("mitra/", views.PartnerListView.as_view(), name="partner_list"),
    path("mitra/<slug:slug>/", views.PartnerDetailView.as_view(), name="partner_detail"),
]
