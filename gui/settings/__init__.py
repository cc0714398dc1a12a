"""The settings pages (设置): office profile, users, working-day calendar, templates, rules."""
