from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, page_number: int) -> str:
    """A link to another page of the list that keeps the current search, filters and sort."""
    query = context.get("query_string", "")
    return f"?{query}&page={page_number}" if query else f"?page={page_number}"


@register.filter
def percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0
