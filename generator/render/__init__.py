"""Rendering: pages as Markdown from the templates, pair pages, the glossary's inline
definitions, structured data, warning boxes and the preview's banners."""
