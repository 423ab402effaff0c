"""What a recipe returns, and the controller that serves it."""
from .components import Components

__all__ = ["Components"]
