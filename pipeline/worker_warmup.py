"""Imported once, last, by the workers' fork server (`pipeline.workers.PRELOAD`): reads a short
plan as text and as PDF there (`pipeline.workers.warm_up`), so that every worker forked from the
server starts with the spaCy pipeline, the decision model and the pattern files already built."""

from pipeline.workers import warm_up

WARM_SECONDS = warm_up()
