"""Shared page pieces: session bootstrap, sidebar, practice view helpers, safe text, app configuration."""
