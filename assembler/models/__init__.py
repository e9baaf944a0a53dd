"""Model files vendored as package data, each folder with its licence."""
