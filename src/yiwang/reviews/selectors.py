"""Reads of 好差评 that depend on who asks, and the public aggregated satisfaction."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Case, IntegerField, Value, When

from yiwang.core.models import Organisation
from yiwang.reviews.choices import RectificationStatus
from yiwang.reviews.models import Rating, Rectification
from yiwang.services.models import ServiceItem
from yiwang.supervision import kpi

# Fewer ratings than this and the public page shows no rate: one or two ratings of a small
# item would otherwise tell what a single applicant said.
MIN_PUBLIC_RATINGS = 3
WAITING = (RectificationStatus.OPEN, RectificationStatus.CONTESTED)


def department_rectifications(actor, organisation_ids):
    """The rectifications of the given departments (None: every one the user may see), those
    waiting for an answer first."""
    waiting_first = Case(
        When(status__in=WAITING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    found = Rectification.objects.restrict(actor)
    if organisation_ids is not None:
        found = found.filter(organisation_id__in=organisation_ids)
    return (
        found.select_related("rating__case", "rating__item", "organisation")
        .annotate(waiting=waiting_first)
        .order_by("waiting", "due_date", "id")
    )


def case_ratings(actor, case, *, is_applicant: bool) -> list[Rating]:
    """The ratings of the case this user may see on its page, online first, each with its
    rectification. An anonymous rating shows to its applicant and to supervisors only: on the
    case page it would tell the department who gave it."""
    from yiwang.core.choices import Role
    from yiwang.core.permissions import has_role

    found = (
        Rating.objects.restrict(actor)
        .filter(case=case)
        .select_related("rectification__organisation")
        .order_by("created_at", "id")
    )
    if not (is_applicant or has_role(actor, Role.SUPERVISOR)):
        found = found.filter(anonymous=False)
    return sorted(found, key=lambda r: r.channel != "online")


def public_satisfaction(start: datetime.date, end: datetime.date) -> dict:
    """满意度公示: per department and per item, counts and rates only, never single ratings."""

    def rows(by: str, model) -> list[dict]:
        found = kpi.satisfaction(start, end, by=by)
        names = dict(model.objects.filter(pk__in=found).values_list("pk", "name"))
        result = []
        for key, row in found.items():
            if key not in names or not row.get("ratings"):
                continue
            shown = row["ratings"] >= MIN_PUBLIC_RATINGS
            result.append({
                "name": names[key], "ratings": row["ratings"],
                "satisfaction_rate": row.get("satisfaction_rate") if shown else None,
                "rectifications": row.get("rectifications", 0) if shown else None,
                "rectification_rate": row.get("rectification_rate") if shown else None,
                "enough": shown,
            })  # fmt: skip
        result.sort(key=lambda r: (-r["ratings"], r["name"]))
        return result

    return {
        "departments": rows("organisation", Organisation),
        "items": rows("item", ServiceItem),
    }


def case_panel(actor, case, *, is_applicant: bool, at_window: bool = False) -> dict:
    """What the case page shows of 好差评: the rating form for the applicant of a finished case,
    the ratings given (online, window …) with their rectifications; for the window clerk, the
    window's rating device (窗口评价器) once the window has served the applicant, and for the
    applicant the one-time code that device asks for."""
    from yiwang.cases.choices import FINISHED_STATUSES
    from yiwang.reviews.forms import RatingForm, WindowRatingForm
    from yiwang.reviews.services import active_code, window_served, withdrawn_unserved

    ratings = case_ratings(actor, case, is_applicant=is_applicant)
    rated = set(Rating.objects.filter(case=case).values_list("channel", flat=True))
    rateable = is_applicant and "online" not in rated and case.status in FINISHED_STATUSES
    rateable = rateable and not withdrawn_unserved(case)
    device = window_served(case) and "window" not in rated
    code = active_code(case) if device else None
    return {
        "ratings": [(r, getattr(r, "rectification", None)) for r in ratings],
        "rating_form": RatingForm() if rateable else None,
        "rectify_days": settings.YIWANG["RECTIFY_DAYS"],
        "window_form": WindowRatingForm(prefix="window") if device and at_window and not is_applicant else None,
        "window_code_sent": code is not None,
        "window_code": code.code if code is not None and is_applicant else None,
    }  # fmt: skip
