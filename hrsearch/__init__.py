"""hrsearch: semantic search and linking of UN human rights documents."""

__version__ = "0.1.0"
