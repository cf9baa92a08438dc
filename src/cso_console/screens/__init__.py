"""Textual screens. They show state and turn keys into desk commands; no SQL here."""
