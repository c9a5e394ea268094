"""Screens of the textmill terminal UI."""
