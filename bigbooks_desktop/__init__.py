"""BigBooks Desktop: keeps a BigCommerce store and FreshBooks books in sync."""

__all__ = ["APP_NAME", "__version__"]

APP_NAME = "BigBooks Desktop"
__version__ = "0.1.0"
