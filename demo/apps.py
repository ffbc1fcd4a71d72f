from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data `make run` loads (`manage.py seed_demo`): not product code.

    Installed last and imported by no app: the registry works without it. It has
    no models; it creates the apps' records through their own rules.
    """

    name = "demo"
    verbose_name = "Demo data"
