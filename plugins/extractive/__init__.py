"""The built-in extractive plugin."""
