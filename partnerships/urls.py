from django.urls import path

app_name = "partnerships"
urlpatterns = [
    # public.py: list, detail, documents, statistics
    # register.py: registration, edit, organisation search for the pickers
    # dashboard.py: /akun/, confirm and decline
]
