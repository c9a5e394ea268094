"""The built-in boilerplate plugin."""
