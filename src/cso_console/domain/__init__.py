"""The domain: pure Python and pydantic. No Textual, no SQL, no I/O beyond reading a town."""
