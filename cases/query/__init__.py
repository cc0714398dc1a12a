"""Reading cases for the window: list queries and text search."""
