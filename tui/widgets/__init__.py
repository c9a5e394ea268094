"""Widgets of the textmill terminal UI."""
