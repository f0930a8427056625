import math

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ mapping|get_item:key }} for dicts in templates."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def minutes(duration):
    """{{ timedelta|minutes }}: "15 分钟" (rounded up), where str() would say "0:15:00"."""
    if not hasattr(duration, "total_seconds"):
        return ""
    return f"{max(1, math.ceil(duration.total_seconds() / 60))} 分钟"


@register.filter
def percent(rate):
    """{{ 0.995|percent }}: "99.5%", as the KPI dashboard writes a rate (widthratio would say 100%)."""
    return "—" if rate is None else f"{rate:.1%}"
