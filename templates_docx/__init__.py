"""The default Word templates (文书模板) of the letters; rebuilt by build_templates.py."""
