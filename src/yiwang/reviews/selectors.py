"""Reads of 好差评 that depend on who asks, and the public aggregated satisfaction."""

from __future__ import annotations

import datetime

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
    """The rectifications of the user's departments: those waiting for an answer first."""
    waiting_first = Case(
        When(status__in=WAITING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        Rectification.objects.restrict(actor)
        .filter(organisation_id__in=organisation_ids)
        .select_related("rating__case", "rating__item", "organisation")
        .annotate(waiting=waiting_first)
        .order_by("waiting", "due_date", "id")
    )


def case_rating(actor, case):
    """The applicant's online rating of the case, if any, with its rectification."""
    return (
        Rating.objects.restrict(actor)
        .filter(case=case, channel="online")
        .select_related("rectification")
        .first()
    )


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
    or the rating given and its rectification; for the window clerk, the window's rating device
    (窗口评价器) once the window has served the applicant."""
    from yiwang.cases.choices import FINISHED_STATUSES, CaseStatus
    from yiwang.reviews.forms import RatingForm

    rating = case_rating(actor, case)
    rateable = is_applicant and rating is None and case.status in FINISHED_STATUSES
    rectification = getattr(rating, "rectification", None) if rating else None
    served = case.registered_by_id is not None or case.status != CaseStatus.SUBMITTED
    window = (
        at_window and not is_applicant and served
        and not Rating.objects.filter(case=case, channel="window").exists()
    )  # fmt: skip
    return {
        "rating": rating, "rectification": rectification,
        "rating_form": RatingForm() if rateable else None,
        "window_form": RatingForm(prefix="window") if window else None,
    }  # fmt: skip
