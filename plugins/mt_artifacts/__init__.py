"""The built-in mt_artifacts plugin."""
