"""CSO Console: a keyboard-only shift console for community service officer desks."""

__version__ = "0.1.0"
