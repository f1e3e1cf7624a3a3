"""The pages people use: handlers, Jinja2 templates, static assets. See web/README.md."""
