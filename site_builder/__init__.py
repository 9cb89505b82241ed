"""site-builder: a static site generator for annotated texts.

The build is a pipeline of stage modules, each importing only earlier ones:
load -> validate -> anchor -> link -> render -> write, run by `build`.
"""

__version__ = "0.1.0"
