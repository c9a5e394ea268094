"""The built-in dedup plugin."""
