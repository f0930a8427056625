from .load import Load, LoadError, StagedRow
from .quality import QualityReport, ResourceQuality
from .record import Record

__all__ = ["Load", "LoadError", "QualityReport", "Record", "ResourceQuality", "StagedRow"]
