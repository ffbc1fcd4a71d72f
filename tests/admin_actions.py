"""Running an admin action as a curator does: the action's page first, then its form."""


def confirmed_action(client, url, action, objects, **fields):
    """Post `action` for `objects` to the changelist at `url`, then send the page it
    shows back as its form does (with the versions it carries), `fields` filled in.
    Returns the first response when the action showed no page."""
    first = client.post(
        url,
        {
            "action": action,
            "_selected_action": [obj.pk for obj in objects],
            "select_across": fields.get("select_across", "0"),
        },
    )
    if first.status_code != 200:
        return first
    context = first.context
    data = {
        "action": action,
        "_selected_action": [str(pk) for pk in context["selected"]],
        "select_across": context["select_across"],
        "apply": "yes",
        context["versions_field"]: context["versions"],
        **context["extra_fields"],
        **fields,
    }
    return client.post(url, data)
