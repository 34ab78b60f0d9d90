"""Jinja2 templates of the mirror pages (installed as the docbot_templates package)."""
