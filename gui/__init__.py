"""The desktop window (PySide6): widgets and item models that call cases/ and hold no rules."""
