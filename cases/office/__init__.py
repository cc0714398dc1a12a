"""The office itself: its profile and answering units, users and roles, numbering, templates."""
