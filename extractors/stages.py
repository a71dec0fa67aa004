"""Imports every built-in stage so that it registers itself; DEFAULT_PIPELINE is their order."""

from extractors import action_fields, actions, links, measures, owners, priorities, sections, status  # noqa: F401

DEFAULT_PIPELINE = ("sections", "priorities", "actions", "action_fields", "owners", "status", "links", "measures")
