"""Rendering one template into page Markdown, and the problems a template can raise: what
every renderer (pages, interaction pages, handouts, the preview's banners) shares."""

from __future__ import annotations

import re

import jinja2
import yaml


class TemplateProblem(Exception):
    """A template failed: names the template file and line."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message

    def __reduce__(self):  # so it can travel back from a worker process
        return TemplateProblem, (self.path, self.line, self.message)


def render_template(env: jinja2.Environment, template_name: str, **context) -> str:
    name = template_name
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(exc.filename or exc.name or name, exc.lineno or 1,
                              exc.message or "syntax error") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateProblem(name, 1, f"template not found: {exc.name}") from None
    except Exception as exc:  # undefined fields, failing filters: name the template line
        path, line = _template_location(exc, name)
        raise TemplateProblem(path, line, str(exc) or type(exc).__name__) from None


def _template_location(exc: BaseException, name: str) -> tuple[str, int]:
    """The innermost template frame of a rendering error (Jinja keeps template paths and
    lines in its tracebacks)."""
    location = (name, 1)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".j2", ".html")):
            location = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return location


def template_failure(exc: BaseException) -> TemplateProblem | None:
    """Where a template error that escaped `render_template` came from (MkDocs renders the
    theme itself): found in the traceback, or in the text of a worker process's traceback;
    None when no template is to blame."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateProblem(exc.filename or exc.name or "templates", exc.lineno or 1,
                               exc.message or "syntax error")
    path, line = _template_location(exc, "")
    if not path:
        remote = re.findall(r'File "([^"]+\.(?:j2|html))", line (\d+)', str(exc.__cause__ or ""))
        path, line = remote[-1] if remote else ("", 1)
    return TemplateProblem(path, int(line), str(exc) or type(exc).__name__) if path else None


# libyaml's emitter writes the same YAML as PyYAML's, several times faster.
FAST_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def front_matter(meta: dict) -> str:
    return "---\n" + yaml.dump(meta, Dumper=FAST_DUMPER, sort_keys=True,
                                allow_unicode=True) + "---\n\n"
