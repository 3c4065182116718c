"""Registers the desk's screens with the admin site (Django's admin autodiscovery imports this)."""

from .desk import annotations, articles, deleted, users, webhooks  # noqa: F401 - each registers its ModelAdmin
