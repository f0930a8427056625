from .apiclient import ApiClient, ApiKey
from .audit import AuditEvent, AuditSeal, SealBase
from .calendar import CalendarOverride
from .job import Job
from .organisation import Organisation
from .platform_key import PlatformKey
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
    "PlatformKey",
    "SealBase",
    "SearchDocument",
    "User",
]
