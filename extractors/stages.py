"""Imports every built-in stage so that it registers itself; DEFAULT_PIPELINE is their order.

The rule stages propose what the layouts they know hold; `decide` weighs them with every other
candidate (a model trained on the gold); the field stages then read each kept commitment's
deadline, owners, status and priority links.
"""

from extractors import action_fields, actions, decide, links, measures, owners, priorities, sections, status  # noqa: F401

RULE_STAGES = ("sections", "priorities", "actions", "measures")
FIELD_STAGES = ("action_fields", "owners", "status", "links")
DEFAULT_PIPELINE = RULE_STAGES + ("decide",) + FIELD_STAGES
# The rule stages and field stages alone (no learned decisions): what the rules take from a
# layout, as their unit tests check and `councilplans debug --rules` shows.
RULES_ONLY = RULE_STAGES + FIELD_STAGES
