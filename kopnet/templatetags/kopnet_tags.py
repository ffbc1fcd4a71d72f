from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number, param="page"):
    """This page's query string with another page number: every filter stays in the link.

    Like Django's {% querystring %}, but the parameter's name can be a variable, so
    one pager serves both ?page= and ?members_page=.
    """
    query = context["request"].GET.copy()
    query[param] = number
    return f"?{query.urlencode()}"
