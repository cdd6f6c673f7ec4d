"""The domain of ysched-tui: job specs, triggers, runs, events and the interfaces around them.

Only the standard library, pydantic and croniter are imported here; storage, scheduling and the
console all depend on this package, never the other way round.
"""
