"""Errors that services raise and the API and pages turn into clear answers."""


class ServiceError(Exception):
    """A refused operation: a stable `code`, a Chinese `message`, an HTTP `status`."""

    status = 400

    def __init__(
        self, code: str, message: str, *, detail: dict | None = None, status: int | None = None
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail or {}
        if status is not None:
            self.status = status


class NotFound(ServiceError):
    """Also what an actor gets for what it may not see."""

    status = 404

    def __init__(self, what: str = "对象"):
        super().__init__("not_found", f"{what}不存在或无权访问")


class PermissionDenied(ServiceError):
    status = 403

    def __init__(self, message: str = "无权执行此操作"):
        super().__init__("permission_denied", message)
