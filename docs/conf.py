"""Sphinx configuration: the reference is generated from the traitlets."""

project = "mydocker_hub"
extensions = ["myst_parser", "sphinx.ext.autodoc", "autodoc_traits"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]
html_theme = "alabaster"
autodoc_member_order = "bysource"
