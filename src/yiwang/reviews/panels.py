"""好差评's panel on the case page: the rating form, the rating and its rectification."""

from yiwang.cases import panels
from yiwang.reviews.selectors import case_panel


@panels.register
def rating_panel(user, case, facts):
    return {
        "template": "reviews/_case_rating.html",
        "review": case_panel(
            user, case, is_applicant=facts["is_applicant"], at_window=facts["at_window"]
        ),
    }
