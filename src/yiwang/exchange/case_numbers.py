"""办件编号 as the exchange sees it: the shape of the X-Case-Number header.

A case number is the service item's 实施编码 (12–40 digits or capital letters) + the day the
case was made (yyyymmdd) + a 4-digit sequence of that day (see `cases.services.next_number`).
The exchange checks the shape only: the dependency points cases → exchange, so it does not
look the case up.
"""

from __future__ import annotations

import datetime
import re

CASE_NUMBER = re.compile(r"^[0-9A-Z]{12,40}(\d{8})\d{4}$", re.ASCII)
CODE = "exchange.case_number"
MESSAGE = "X-Case-Number 应为办件编号：实施编码 + 受理日期（yyyymmdd）+ 4 位流水号"


def is_case_number(text: str) -> bool:
    match = CASE_NUMBER.match(text)
    if match is None:
        return False
    try:
        datetime.datetime.strptime(match[1], "%Y%m%d")
    except ValueError:
        return False
    return True
