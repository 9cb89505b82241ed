"""The Jinja environment the theme runs in: Jinja's own, with three costs of every page cut.

A page's template reads a few thousand values, prints each one and asks for dozens of words;
on a large site these steps were most of the render stage. The shortcuts below give exactly
what Jinja gives (tests/test_fastpaths.py holds them against Jinja's own code).

- `{{ card.href }}` compiles to `environment.getattr(card, "href")`, which tries the
  attribute first and the key only after an AttributeError. Every context is dicts, so
  nearly every read raised and caught an exception.
- `{{ value }}` compiles to markupsafe's `escape(value)`, which builds a fresh Markup even
  when the value is Markup already, and then the page joins it into a plain string anyway.
- `{{ t("key") }}` compiles to `context.call(t, "key")`, which asks the callable four times
  whether it wants the context passed in; the theme's words (a bound method) never do.
"""

from __future__ import annotations

from pathlib import Path
from types import MethodType
from typing import Any

import jinja2
import jinja2.compiler
import jinja2.runtime
from markupsafe import Markup, escape

try:  # MarkupSafe 3: the C step of `escape`, a str in and a str out
    from markupsafe import _escape_inner as escape_text  # type: ignore[attr-defined]
except ImportError:  # MarkupSafe 2: `escape` itself is the C function
    escape_text = escape

COMPILED_AS = "output-v1"
"""Names how `OutputCodeGenerator` compiles templates; compiled templates cached on disk
are kept apart by it, so that no version of site-builder loads code compiled by another."""

TEMPLATING_SOURCES = frozenset({__file__, str(Path(__file__).resolve())})
"""This module's file as its frames may name it: the render stage's error report counts them
as Jinja's own when a template asks for a value the build does not provide."""

_DICT_ATTRIBUTES = frozenset(dir(dict))
"""Every attribute a plain dict has: a key of one of these names is not what `d.name` reads."""


def escape_output(value: Any) -> str:
    """What `{{ value }}` prints: `escape(value)`, but neither re-wrapped nor copied.

    Only ever joined into the page (or a `{% set %}` block, which Jinja marks safe as a
    whole), so a plain string serves as well as Markup there.
    """
    kind = type(value)
    if kind is str:
        return escape_text(value)
    if kind is Markup:
        return value
    return escape(value)  # numbers, Undefined (which raises), objects with __html__


class OutputCodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, printing values through `escape_output`.

    Only where the template escapes every value (autoescape on and fixed); anything else
    is compiled as Jinja compiles it.
    """

    def _output_child_pre(
        self,
        node: jinja2.nodes.Expr,
        frame: jinja2.compiler.Frame,
        finalize: Any,
    ) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape or finalize.src is not None:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escape_output(")


class SiteContext(jinja2.runtime.Context):
    """Jinja's template context, calling a plain bound method without Jinja's questions."""

    def call(self, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        """`context.call(obj, ...)` as Jinja does it, the common case first.

        A bound method whose function is not marked `pass_context` (or the like) is called
        as it is: Jinja would find no mark on it or on its `__call__` either.
        """
        if type(obj) is not MethodType or hasattr(obj.__func__, "jinja_pass_arg"):
            return super().call(obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return obj(*args, **kwargs)
        except StopIteration:  # as Jinja answers it
            return self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


class SiteEnvironment(jinja2.Environment):
    """A Jinja environment that reads dict keys first, prints values without copies and
    calls the theme's words directly."""

    code_generator_class = OutputCodeGenerator
    context_class = SiteContext
    escape_output = staticmethod(escape_output)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`obj.attribute` as Jinja reads it: an attribute first, then a key.

        A plain dict has no attributes but dict's own, so for any other name the key is
        what Jinja would find; looked up first, without an AttributeError in between.
        """
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass  # Jinja's own way, to the same Undefined
        return super().getattr(obj, attribute)
