from .lists import Demand, NegativeEntry, Responsibility
from .resource import Field, Resource, ResourceVersion

__all__ = ["Demand", "Field", "NegativeEntry", "Resource", "ResourceVersion", "Responsibility"]
