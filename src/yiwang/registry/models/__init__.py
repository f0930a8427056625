from .load import Load, LoadError, StagedRow
from .quality import QualityReport
from .record import Record

__all__ = ["Load", "LoadError", "QualityReport", "Record", "StagedRow"]
