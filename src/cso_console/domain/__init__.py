"""The domain: pure Python, its values frozen, checked records (record.py). No Textual, no SQL,
no I/O beyond reading a town."""
