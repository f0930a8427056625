from .access import AccessRequest, Grant
from .log import ExchangeLog, ExchangeSubject

__all__ = ["AccessRequest", "ExchangeLog", "ExchangeSubject", "Grant"]
