from .item import Material, ServiceItem, ServiceItemVersion
from .process import ProcessModel
from .theme import Theme, ThemeItem

__all__ = ["Material", "ProcessModel", "ServiceItem", "ServiceItemVersion", "Theme", "ThemeItem"]
