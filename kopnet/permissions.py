"""The Dekopin curators' group and what it may do, granted from migrations."""

CURATOR_GROUP = "Dekopin"


def grant_to_curators(apps, codenames_by_model, app_label):
    """Give the Dekopin group these permissions (creating group and permissions).

    Permissions are normally created after all migrations ran; a data migration
    creates them first so that the group can be complete on a fresh database.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=CURATOR_GROUP)
    for model, actions in codenames_by_model.items():
        codenames = [f"{action}_{model}" for action in actions]
        permissions = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        if permissions.count() != len(codenames):
            raise RuntimeError(f"missing permissions for {app_label}.{model}: {codenames}")
        group.permissions.add(*permissions)
