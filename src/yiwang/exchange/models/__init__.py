from .access import AccessRequest, Grant
from .log import ExchangeLog, ExchangeSeal, ExchangeSubject

__all__ = ["AccessRequest", "ExchangeLog", "ExchangeSeal", "ExchangeSubject", "Grant"]
