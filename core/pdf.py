"""The one way GridReady makes PDFs: WeasyPrint with a fetcher that refuses outside URLs, one shared
font configuration, and the CJK font named explicitly (Noto Sans/Serif CJK SC from fonts-noto-cjk).

Rendering many certificates: ``render_pages`` lays out one document holding every page (fonts and
styles are prepared once) and writes each page as its own PDF, which is far faster than one
``HTML(...).write_pdf()`` per certificate. Writing a page subsets its fonts; subsetting the 20 MB Noto
CJK collection costs ~45 ms per font per page, so ``render_pages`` first cuts the CJK faces down (with
HarfBuzz, ~10 ms) to the characters the document uses and serves them to WeasyPrint as the families
"GridReady PDF Sans" / "GridReady PDF Serif", which lead the inherited font stacks. Each page then
subsets a few-hundred-glyph font: ~25 ms per page and ~12 KB per file instead of ~150 ms and ~200 KB.
The glyphs are Noto's own, so the output looks the same; when anything in that step fails the
document renders with the system fonts as before (slower, same look). Text whose CSS names another
family explicitly simply does not use the cut-down fonts.

Rendering hundreds of documents (a department's sheets): ``render_documents_in_parallel`` hands batches of
HTML to ``PDF_WORKERS`` worker processes (default: one per core; WeasyPrint is pure Python and holds the
GIL, so threads would not help). The workers are fresh ``python -m core.pdf`` processes (no database
connection, thread or app state is copied into them), given only HTML strings over a pipe and answering
with PDF bytes.
"""

from __future__ import annotations

import base64
import functools
import html as html_lib
import itertools
import os
import pickle
import re
import struct
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import cffi
from weasyprint import CSS, HTML
from weasyprint import html as weasyprint_html
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from core.config import PROJECT_ROOT

STATIC_ROOT = (PROJECT_ROOT / "static").resolve()
CJK_FONT_STACK = '"Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", sans-serif'
BASE_CSS = f"""
html {{ font-family: {CJK_FONT_STACK}; }}
.serif {{ font-family: "Noto Serif CJK SC", "Source Han Serif SC", serif; }}
"""

_font_config: FontConfiguration | None = None


def font_config() -> FontConfiguration:
    """The process-wide font configuration (built once; building it scans the system fonts)."""
    global _font_config
    if _font_config is None:
        _font_config = FontConfiguration()
    return _font_config


class LocalOnlyFetcher(URLFetcher):
    """Fetches ``data:`` URIs and files under ``static/``; anything else (http, other files) is refused."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file://"):
            path = Path(url[len("file://") :].split("?")[0]).resolve()
            if path.is_relative_to(STATIC_ROOT) and path.is_file():
                return super().fetch(url, headers)
        raise ValueError(f"refused to fetch {url[:80]!r}: PDFs may only use local static files")


def _html(html: str) -> HTML:
    return _LeanHTML(string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=LocalOnlyFetcher())


class _LeanHTML(HTML):
    """WeasyPrint's HTML without the user-agent rules for footnote and note pseudo-elements (``::footnote-call``
    …), which match every element and make WeasyPrint compute five extra styles per element; no GridReady
    PDF uses footnotes or notes. Falls back to the full rules if WeasyPrint's layout of them changes."""

    def _ua_stylesheets(self, forms=False):
        sheets = super()._ua_stylesheets(forms)
        lean = _lean_ua_stylesheet()
        return [lean, *sheets[1:]] if lean is not None else sheets


@functools.cache
def _lean_ua_stylesheet():
    source = getattr(weasyprint_html, "UA", None)
    counters = getattr(weasyprint_html, "UA_COUNTER_STYLE", None)
    if not isinstance(source, str) or counters is None:
        return None
    kept = [line for line in source.splitlines() if not re.match(r"::(footnote|note)-", line.strip())]
    return CSS(string="\n".join(kept), counter_style=counters)


def _stylesheets() -> list[CSS]:
    return [CSS(string=BASE_CSS, font_config=font_config())]


def render_pdf(html: str) -> bytes:
    """One PDF from a complete HTML document (A4 unless its CSS says otherwise)."""
    return _html(html).write_pdf(stylesheets=_stylesheets(), font_config=font_config())


def render_pages(html: str) -> list[bytes]:
    """Lay out ``html`` once and return each page as a separate one-page PDF (bulk certificates)."""
    document = _render_cut_down(html)
    return [document.copy([page]).write_pdf() for page in document.pages]


def render_documents(html: str, anchor_prefix: str) -> list[bytes]:
    """Lay out ``html`` once and split it into PDFs of several pages: a new PDF starts on each page that
    holds an element whose id starts with ``anchor_prefix`` (bulk multi-page reports)."""
    document = _render_cut_down(html)
    groups: list[list] = []
    for page in document.pages:
        if not groups or any(name.startswith(anchor_prefix) for name in page.anchors):
            groups.append([])
        groups[-1].append(page)
    return [document.copy(pages).write_pdf() for pages in groups]


def render_documents_in_parallel(
    htmls: Iterable[str], anchor_prefix: str, workers: int
) -> Iterator[list[bytes]]:
    """``render_documents`` for each HTML batch of ``htmls``, laid out in up to ``workers`` processes;
    yields each batch's PDFs in the order given. ``htmls`` is read lazily, at most ``workers`` batches ahead
    of what has been yielded, so the caller builds the next batch while the workers lay out. With one worker
    (or a single batch) everything runs in this process."""
    batches = iter(htmls)
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None) if workers > 1 else None
    if second is None:
        yield render_documents(first, anchor_prefix)
        for html in batches:
            yield render_documents(html, anchor_prefix)
        return
    pool = [_Worker() for _ in range(workers)]
    try:
        in_flight: list[_Worker] = []
        for index, html in enumerate(itertools.chain((first, second), batches)):
            if len(in_flight) == len(pool):
                yield in_flight.pop(0).result()
            worker = pool[index % len(pool)]  # the one whose last batch was just collected
            worker.send(html, anchor_prefix)
            in_flight.append(worker)
        for worker in in_flight:
            yield worker.result()
    finally:
        for worker in pool:
            worker.close()


class _Worker:
    """A ``python -m core.pdf`` process: reads (html, anchor prefix) requests on stdin and answers each
    with its PDFs on stdout, one request at a time. It starts from scratch (no copy of this process's
    database connections or threads) and is given only HTML."""

    def __init__(self) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
        }
        self.process = subprocess.Popen(  # noqa: S603 — this interpreter running this module
            [sys.executable, "-m", "core.pdf"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=PROJECT_ROOT,
            env=env,
        )

    def send(self, html: str, anchor_prefix: str) -> None:
        _write_message(self.process.stdin, (html, anchor_prefix))

    def result(self) -> list[bytes]:
        answer = _read_message(self.process.stdout)
        if answer is None:
            raise RuntimeError(f"PDF worker stopped (exit code {self.process.poll()})")
        status, value = answer
        if status != "ok":
            raise RuntimeError(f"PDF worker failed: {value}")
        return value

    def close(self) -> None:
        try:
            self.process.stdin.close()
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            self.process.stdout.close()


def _write_message(stream, value) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("!Q", len(data)) + data)
    stream.flush()


def _read_message(stream):
    head = stream.read(8)
    if len(head) < 8:
        return None
    (length,) = struct.unpack("!Q", head)
    data = stream.read(length)
    if len(data) < length:
        return None
    return pickle.loads(data)  # noqa: S301 — our own worker's answer, over its private pipe


def _serve(stdin, stdout) -> None:
    """The worker's loop (``python -m core.pdf``): one answer per request until stdin closes."""
    while (request := _read_message(stdin)) is not None:
        html, anchor_prefix = request
        try:
            answer = ("ok", render_documents(html, anchor_prefix))
        except Exception as error:  # noqa: BLE001 — reported to the parent, which raises it
            answer = ("error", f"{type(error).__name__}: {error}")
        _write_message(stdout, answer)


def default_workers() -> int:
    """How many processes lay out PDFs in bulk when the configuration does not say: one per core."""
    return os.cpu_count() or 1


def _render_cut_down(html: str):
    fonts = FontConfiguration()  # per call: the cut-down @font-face fonts belong to this document only
    css = _subset_font_css(html) + BASE_CSS.replace("html { font-family: ", f"html {{ font-family: {_SANS}, ")
    css = css.replace(".serif { font-family: ", f".serif {{ font-family: {_SERIF}, ")
    return _html(html).render(stylesheets=[CSS(string=css, font_config=fonts)], font_config=fonts)


# ---------------------------------------------------------------- cut-down CJK fonts for render_pages

_SANS = '"GridReady PDF Sans"'
_SERIF = '"GridReady PDF Serif"'
_FACES = (  # (family served, fontconfig pattern, CSS weight)
    (_SANS, "Noto Sans CJK SC:weight=80", 400),
    (_SANS, "Noto Sans CJK SC:bold", 700),
    (_SERIF, "Noto Serif CJK SC:weight=80", 400),
    (_SERIF, "Noto Serif CJK SC:bold", 700),
)
_HB_CDEF = """
typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t; typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t; typedef uint32_t hb_codepoint_t;
hb_blob_t * hb_blob_create_from_file (const char *file_name);
hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);
hb_blob_t * hb_face_reference_blob (hb_face_t *face);
const char * hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
void hb_blob_destroy (hb_blob_t *blob);
void hb_face_destroy (hb_face_t *face);
void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
hb_subset_input_t * hb_subset_input_create_or_fail (void);
hb_set_t * hb_subset_input_unicode_set (hb_subset_input_t *input);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_face_t * hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""


@functools.cache
def _harfbuzz():
    ffi = cffi.FFI()
    ffi.cdef(_HB_CDEF)
    return ffi, ffi.dlopen("harfbuzz"), ffi.dlopen("harfbuzz-subset")


@functools.cache
def _face(pattern: str):
    """The HarfBuzz face of the font fontconfig picks for ``pattern`` (None when there is none)."""
    found = subprocess.run(  # noqa: S603 — fixed arguments, no shell
        ["fc-match", "-f", "%{file}|%{index}", pattern],  # noqa: S607 — fontconfig's own tool
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    ).stdout
    path, _, index = found.partition("|")
    if "CJK" not in path:
        return None
    ffi, hb, _hbs = _harfbuzz()
    blob = hb.hb_blob_create_from_file(path.encode())
    return hb.hb_face_create(blob, int(index or 0))


def _subset(face, codepoints: set[int]) -> bytes:
    ffi, hb, hbs = _harfbuzz()
    subset_input = hbs.hb_subset_input_create_or_fail()
    try:
        unicodes = hbs.hb_subset_input_unicode_set(subset_input)
        for codepoint in codepoints:
            hb.hb_set_add(unicodes, codepoint)
        result = hbs.hb_subset_or_fail(face, subset_input)
    finally:
        hbs.hb_subset_input_destroy(subset_input)
    if result == ffi.NULL:
        raise RuntimeError("subset failed")
    blob = hb.hb_face_reference_blob(result)
    try:
        length = ffi.new("unsigned int *")
        data = bytes(ffi.buffer(hb.hb_blob_get_data(blob, length), length[0]))
    finally:
        hb.hb_blob_destroy(blob)
        hb.hb_face_destroy(result)
    return data


def _subset_font_css(html: str) -> str:
    """@font-face rules serving the CJK faces cut down to the characters of ``html`` ('' on failure)."""
    text = html_lib.unescape(re.sub(r"<[^>]*>", " ", html))
    codepoints = {ord(ch) for ch in text if ch.isprintable()} | {ord(" ")}
    rules = []
    try:
        for family, pattern, weight in _FACES:
            face = _face(pattern)
            if face is None:
                continue
            data = base64.b64encode(_subset(face, codepoints)).decode()
            rules.append(
                f"@font-face {{ font-family: {family}; font-weight: {weight}; "
                f"src: url(data:font/otf;base64,{data}); }}\n"
            )
    except (OSError, RuntimeError, subprocess.SubprocessError, ValueError):
        return ""
    return "".join(rules)


if __name__ == "__main__":
    answers = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed by a library may mix into the answers
    _serve(sys.stdin.buffer, answers)
