"""The built-in linker plugin."""
