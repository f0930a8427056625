from .licence import Licence, LicenceUse
from .licence_type import LicenceType
from .seal import Counter, IssuingSeal

__all__ = ["Counter", "IssuingSeal", "Licence", "LicenceType", "LicenceUse"]
