"""`site-builder serve`: a live preview that is a client of the build (STYLE.md).

It builds with the build's public `Builder`, as the command line does, into a private
temporary folder (output/ is what gets deployed, and stays as the last `build` left
it). Live reload is added at request time: the script goes into HTML responses, never
into a file, and a Server-Sent Events stream tells pages to reload once a rebuild is
fully in place, or shows them the errors of a failed one while the last good build
stays served. One module per job:

- `server`: lifecycle and signals (`serve`, `DevServer`);
- `rebuild`: the rebuild loop, and the search index brought up to date after it;
- `events`: the event stream and what pages are told (`LiveSite`);
- `handler`: the HTTP handler, with its Host and Origin checks;
- `overlay`: the live-reload script and error page injected into responses;
- `files`: which file a URL names, and its Content-Type;
- `watch`: the watcher, which calls the rebuild loop once per burst of saves.
"""

from .server import DevServer, ListenError, serve

__all__ = ["DevServer", "ListenError", "serve"]
