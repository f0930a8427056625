from .apiclient import ApiClient, ApiKey
from .audit import AuditEvent, AuditSeal, SealBase
from .calendar import CalendarOverride
from .job import Job
from .organisation import Organisation
from .search import SearchDocument
from .user import CompanyAgent, Membership, User

__all__ = [
    "ApiClient",
    "ApiKey",
    "AuditEvent",
    "AuditSeal",
    "CalendarOverride",
    "CompanyAgent",
    "Job",
    "Membership",
    "Organisation",
    "SealBase",
    "SearchDocument",
    "User",
]
