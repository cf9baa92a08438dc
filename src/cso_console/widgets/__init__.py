"""Textual widgets. No SQL here."""
