"""Disclosure Desk core: the domain, never imports Qt."""
