"""Test helpers shipped with the package: an amoCRM API v4 stand-in server (:mod:`.amocrm_server`)."""

from .amocrm_server import AmoCRMServer

__all__ = ["AmoCRMServer"]
