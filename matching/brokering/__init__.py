"""Brokering: introductions, agreements, implementation and closure."""
