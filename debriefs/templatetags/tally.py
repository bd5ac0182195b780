from django import template

register = template.Library()


@register.inclusion_tag("debriefs/includes/tally.html")
def tally(count: int):
    """Five-bar gates for `count` strokes; the number is also given as text."""
    gates, rest = divmod(count or 0, 5)
    groups = [{"marks": range(4), "gate": True} for _ in range(gates)]
    if rest:
        groups.append({"marks": range(rest), "gate": False})
    return {"count": count or 0, "groups": groups}
