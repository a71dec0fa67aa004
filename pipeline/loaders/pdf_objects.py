"""What is printed on a PDF page: characters, ruling edges and filled rectangles, read with PDFium.

pypdfium2 (the engine under pdfplumber's own renderer) reads a page's text and vector graphics some
fifty times faster than pdfminer, so the loader takes its page objects from here and keeps
pdfplumber for what it is best at: the table finder (see `pdf_tables`).

Everything is in pdfplumber's coordinate convention: points, origin at the top-left of the visible
page (the crop box), page rotation applied, so a landscape page reads left to right, top to bottom.
A `PageObjects` is never changed in place: `without` derives a page with some characters removed,
the way pdfplumber's `page.filter` does.
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass, field, replace

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.loaders.pdf_fills import AXIS_TOLERANCE, FilledRect, is_box, merge_bands

# Paths with more segments than this are drawings (maps, charts, logos), not table rules.
MAX_PATH_SEGMENTS = 400
# Stop collecting graphics on a page once it has this many segments (a full-page chart).
MAX_PAGE_SEGMENTS = 30000
# Shortest stretch of a path counted as a ruling edge, in points.
MIN_EDGE_LENGTH = 1.0
# Characters that mean "hyphen at the end of a line" in PDFium output.
HYPHEN_CODES = {0x02: "-", 0xAD: "-", 0xFFFE: "-", 0x2010: "-"}
BOLD_WORDS = ("bold", "black", "heavy", "semibold", "demi", "extrabold", "ultrabold")
# A font named for one of these styles is not bold, whatever weight PDFium reports: PDFium derives
# the weight from the font's StemV, which some fonts fill with nonsense (Poppins-Regular: 1676).
REGULAR_WORDS = ("regular", "italic", "oblique", "light", "book", "roman", "thin", "medium", "normal")
FORCE_BOLD_FLAG = 1 << 18
# Outlined boxes smaller than this (points) are not frames around text.
MIN_FRAME = 12.0
# Filled shapes at most this big (points) are dots, bullets and the like.
SMALL_SHAPE = 12.0


@dataclass(slots=True)
class Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool
    font: str

    @property
    def mid_x(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def mid_y(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class PageObjects:
    number: int
    width: float
    height: float
    chars: tuple[Char, ...] = ()
    # Ruling edges as pdfplumber's table finder wants them: dicts with x0, x1, top, bottom,
    # width, height and orientation "h" or "v".
    edges: tuple[dict, ...] = ()
    fills: tuple[FilledRect, ...] = ()
    # Closed outlines drawn without a fill (x0, top, x1, bottom): boxes framing text.
    frames: tuple[tuple[float, float, float, float], ...] = ()
    images: int = 0
    # Characters set at an angle (rotated labels); kept apart from the reading flow.
    rotated_chars: int = 0
    notes: tuple[str, ...] = field(default=())

    def without(self, boxes: list[tuple[float, float, float, float]]) -> "PageObjects":
        """A page without the characters whose centre lies in any of `boxes` (x0, top, x1, bottom)."""
        if not boxes:
            return self

        kept = []
        for c in self.chars:
            x, y = (c.x0 + c.x1) / 2, (c.top + c.bottom) / 2
            for b in boxes:
                if b[0] <= x <= b[2] and b[1] <= y <= b[3]:
                    break
            else:
                kept.append(c)
        return replace(self, chars=tuple(kept))


def hex_colour(r: float, g: float, b: float) -> str:
    """An RGB triple in 0..1 to lower-case hex.

    >>> hex_colour(1, 0, 0)
    '#ff0000'
    """
    return "#%02x%02x%02x" % tuple(max(0, min(255, round(v * 255))) for v in (r, g, b))


def colour_to_hex(colour) -> str | None:
    """A PDF colour as pdfplumber reports it (gray, RGB or CMYK in 0..1) to '#rrggbb'.

    >>> colour_to_hex((0, 0.5, 1))
    '#0080ff'
    >>> colour_to_hex((0, 1, 1, 0))
    '#ff0000'
    >>> colour_to_hex(0.5)
    '#808080'
    """
    if colour is None:
        return None
    if isinstance(colour, (int, float)):
        colour = (colour,)
    values = [float(v) for v in colour if isinstance(v, (int, float))]
    if len(values) == 1:
        return hex_colour(values[0], values[0], values[0])
    if len(values) == 3:
        return hex_colour(*values)
    if len(values) == 4:
        c, m, y, k = values
        return hex_colour((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


def _mul(m1: tuple, m2: tuple) -> tuple:
    """Compose two PDF matrices (a, b, c, d, e, f): apply m1, then m2."""
    a, b, c, d, e, f = m1
    A, B, C, D, E, F = m2
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


class _Frame:
    """Maps PDF user space to top-left page space for one page (crop box and /Rotate)."""

    def __init__(self, page: pdfium.PdfPage):
        x0, y0, x1, y1 = page.get_cropbox()
        self.x0, self.y0, self.x1, self.y1 = x0, y0, x1, y1
        self.rotation = page.get_rotation() % 360
        if self.rotation in (90, 270):
            self.width, self.height = y1 - y0, x1 - x0
        else:
            self.width, self.height = x1 - x0, y1 - y0

    def point(self, x: float, y: float) -> tuple[float, float]:
        r = self.rotation
        if r == 0:
            return x - self.x0, self.y1 - y
        if r == 90:
            return y - self.y0, x - self.x0
        if r == 180:
            return self.x1 - x, y - self.y0
        return self.y1 - y, self.x1 - x

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        ax, at = self.point(left, bottom)
        bx, bt = self.point(right, top)
        return min(ax, bx), min(at, bt), max(ax, bx), max(at, bt)


# FPDFText_GetTextObject with an integer result: text objects are cached by address, and
# turning pypdfium2's pointer objects into addresses costs more than the call itself.
_text_object_address = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value
)


def _by_address(name: str, restype, *argtypes):
    """A PDFium function called with plain integer addresses (handles and out-parameters) rather
    than pypdfium2's typed pointers: the same C function, without building and checking a ctypes
    pointer object for every argument and result. A NULL result comes back as None."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value)


_P, _I = ctypes.c_void_p, ctypes.c_int
_page_get_object = _by_address("FPDFPage_GetObject", _P, _P, _I)
_obj_get_type = _by_address("FPDFPageObj_GetType", _I, _P)
_obj_get_bounds = _by_address("FPDFPageObj_GetBounds", _I, _P, _P, _P, _P, _P)
_obj_get_matrix = _by_address("FPDFPageObj_GetMatrix", _I, _P, _P)
_obj_get_fill_color = _by_address("FPDFPageObj_GetFillColor", _I, _P, _P, _P, _P, _P)
_obj_has_transparency = _by_address("FPDFPageObj_HasTransparency", _I, _P)
_form_count_objects = _by_address("FPDFFormObj_CountObjects", _I, _P)
_form_get_object = _by_address("FPDFFormObj_GetObject", _P, _P, ctypes.c_ulong)
_path_count_segments = _by_address("FPDFPath_CountSegments", _I, _P)
_path_get_segment = _by_address("FPDFPath_GetPathSegment", _P, _P, _I)
_path_get_draw_mode = _by_address("FPDFPath_GetDrawMode", _I, _P, _P, _P)
_segment_get_point = _by_address("FPDFPathSegment_GetPoint", _I, _P, _P, _P)
_segment_get_type = _by_address("FPDFPathSegment_GetType", _I, _P)
_segment_get_close = _by_address("FPDFPathSegment_GetClose", _I, _P)
_PATH, _TEXT, _FORM, _IMAGE = (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_FORM,
                               pdfium_c.FPDF_PAGEOBJ_IMAGE)
_MOVETO, _LINETO = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO


def path_segments(obj: int, n: int) -> tuple[list[float], list[float], list[int], list[int]]:
    """The first `n` segments of a path object (by address), in bulk: their points' x and y (path
    space, float32 widened to Python floats; None where PDFium gives no point), types and addresses
    (for `FPDFPathSegment_GetClose`)."""
    segments = [_path_get_segment(obj, i) for i in range(n)]
    points = (ctypes.c_float * (2 * n))()
    base = ctypes.addressof(points)
    get_point = _segment_get_point
    ok = [get_point(seg, base + 8 * i, base + 8 * i + 4) for i, seg in enumerate(segments)]
    flat = points[:]
    xs, ys = flat[0::2], flat[1::2]
    if not all(ok):
        for i, done in enumerate(ok):
            if not done:
                xs[i] = ys[i] = None
    get_type = _segment_get_type
    return xs, ys, [get_type(seg) for seg in segments], segments


_text_obj_get_font = _by_address("FPDFTextObj_GetFont", _P, _P)


def _font_info(text_obj) -> tuple[str, bool]:
    """The font name (subset prefix dropped) and whether it is bold, of a text object's font."""
    font = pdfium_c.FPDFTextObj_GetFont(text_obj)
    name = ""
    weight = -1
    flags = 0
    if font:
        buf = ctypes.create_string_buffer(256)
        if pdfium_c.FPDFFont_GetBaseFontName(font, buf, 256):
            name = buf.value.decode("latin-1", "replace")
        weight = pdfium_c.FPDFFont_GetWeight(font)
        flags = pdfium_c.FPDFFont_GetFlags(font)
    return name.split("+", 1)[-1], is_bold_font(name, weight, flags)


def is_bold_font(name: str, weight: int, flags: int) -> bool:
    """Bold by the font's name first, then by its flags, and by its weight only when the name says
    nothing about its style and the weight is a plausible one.

    >>> is_bold_font("ABCDEF+Poppins-Regular", 1676, 0), is_bold_font("Arial,Bold", 400, 0)
    (False, True)
    >>> is_bold_font("Helvetica", 700, 0), is_bold_font("Helvetica", 1676, 0)
    (True, False)
    """
    lowered = name.split("+", 1)[-1].lower()
    if any(w in lowered for w in BOLD_WORDS) or flags & FORCE_BOLD_FLAG:
        return True
    if any(w in lowered for w in REGULAR_WORDS):
        return False
    return 600 <= weight <= 1000


def _clip_box(obj) -> tuple[float, float, float, float] | None:
    """The box a page object is clipped to (PDF user space), or None when it is not clipped or
    the clip is too intricate to bother with. Spreadsheet exports hide text this way."""
    clip = pdfium_c.FPDFPageObj_GetClipPath(obj)
    if not clip:
        return None
    box = None
    x, y = ctypes.c_float(), ctypes.c_float()
    for k in range(min(pdfium_c.FPDFClipPath_CountPaths(clip), 4)):
        n = pdfium_c.FPDFClipPath_CountPathSegments(clip, k)
        if n <= 0 or n > 12:
            return None
        xs, ys = [], []
        for i in range(n):
            seg = pdfium_c.FPDFClipPath_GetPathSegment(clip, k, i)
            pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
            xs.append(x.value)
            ys.append(y.value)
        part = (min(xs), min(ys), max(xs), max(ys))
        box = part if box is None else (max(box[0], part[0]), max(box[1], part[1]), min(box[2], part[2]), min(box[3], part[3]))
    return box


def _all_text(tp, count: int) -> str | None:
    """The page's characters in one call, when they map one to one onto character indices."""
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    written = pdfium_c.FPDFText_GetText(tp, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = buffer.raw[: max(written - 1, 0) * 2].decode("utf-16-le", "replace")
    return text if len(text) == count else None


# FPDFText_GetLooseCharBox with plain addresses: the boxes of a whole page are written into one
# float array (see `char_boxes`), without a ctypes structure per call.
_loose_char_box = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)(
    ctypes.cast(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_void_p).value
)


def text_objects(tp, count: int) -> list[int | None]:
    """The address of the text object each of a text page's first `count` characters comes from
    (None for characters PDFium generated: spaces and line breaks)."""
    address = ctypes.cast(tp, ctypes.c_void_p).value
    get = _text_object_address
    return [get(address, i) for i in range(count)]


def char_boxes(tp, count: int) -> tuple[list, list, list, list]:
    """The loose boxes of a text page's first `count` characters in PDF user space, as four lists:
    left, top, right, bottom. The same numbers as `FPDFText_GetLooseCharBox` one character at a
    time (float32 values widened to Python floats), read in bulk."""
    if count <= 0:
        return [], [], [], []
    address = ctypes.cast(tp, ctypes.c_void_p).value
    values = (ctypes.c_float * (4 * count))()
    base = ctypes.addressof(values)
    get = _loose_char_box
    ok = [get(address, i, base + 16 * i) for i in range(count)]
    flat = values[:]
    lefts, tops, rights, bottoms = flat[0::4], flat[1::4], flat[2::4], flat[3::4]
    if not all(ok):  # PDFium did not give a box: None, for the caller to decide
        for i, done in enumerate(ok):
            if not done:
                lefts[i] = tops[i] = rights[i] = bottoms[i] = None
    return lefts, tops, rights, bottoms


def read_chars(page: pdfium.PdfPage, frame: _Frame, hidden: set[int] = frozenset()) -> tuple[list[Char], int]:
    """The page's upright characters (generated spaces and line breaks dropped, overprints and
    text objects in `hidden` removed) and the number of characters set at an angle.

    The characters' text, text objects and boxes are read for the whole page first, in bulk
    (`_all_text`, `text_objects`, `char_boxes`); PDFium is asked about a text object (size, font,
    angle, clip) once, at its first character."""
    textpage = page.get_textpage()
    try:
        tp = textpage.raw
        count = pdfium_c.FPDFText_CountChars(tp)
        if count <= 0:
            return [], 0
        text_all = _all_text(tp, count)
        keys = text_objects(tp, count)
        lefts, tops, rights, bottoms = char_boxes(tp, count)
        matrix = pdfium_c.FS_MATRIX()
        matrix_ref = ctypes.byref(matrix)
        get_unicode = pdfium_c.FPDFText_GetUnicode
        objects: dict = {}  # text object address -> (size, bold, font, upright, clip)
        fonts: dict = {}  # font address -> (name, bold)
        chars: list[Char] = []
        append = chars.append
        seen: set = set()
        seen_add = seen.add
        rotated = 0
        point = frame.point
        rotation = frame.rotation
        upright_page = rotation == 0
        page_x0, page_y1 = frame.x0, frame.y1
        hyphens = HYPHEN_CODES
        # PDFium's box of the last character asked about: kept when it gives none for one.
        left = right = rtop = rbottom = 0.0
        for i in range(count):
            key = keys[i]
            if not key or key in hidden:  # generated by PDFium (spaces, line breaks), or painted over
                continue
            code = ord(text_all[i]) if text_all is not None else get_unicode(tp, i)
            if code in hyphens:
                text = hyphens[code]
            elif code < 32 or 0xFFF0 <= code:
                continue
            else:
                text = chr(code)
            props = objects.get(key)
            if props is None:
                pdfium_c.FPDFText_GetMatrix(tp, i, matrix_ref)
                scale = math.hypot(matrix.c, matrix.d) or 1.0
                size = pdfium_c.FPDFText_GetFontSize(tp, i) * scale
                angle = math.degrees(math.atan2(matrix.b, matrix.a))
                upright = abs(((angle + rotation + 180) % 360) - 180) < 5
                handle = ctypes.cast(ctypes.c_void_p(key), pdfium_c.FPDF_PAGEOBJECT)
                font = _text_obj_get_font(key)  # fonts are shared: each asked about once a page
                info = fonts.get(font)
                if info is None:
                    info = fonts[font] = _font_info(handle)
                name, bold = info
                props = objects[key] = (round(size, 2), bold, name, upright, _clip_box(handle))
            size, bold, name, upright, clip = props
            if not upright:
                rotated += 1
                continue
            if lefts[i] is not None:
                left, right, rtop, rbottom = lefts[i], rights[i], tops[i], bottoms[i]
            if clip is not None:
                cx, cy = (left + right) / 2, (rtop + rbottom) / 2
                if not (clip[0] - 1 <= cx <= clip[2] + 1 and clip[1] - 1 <= cy <= clip[3] + 1):
                    continue  # clipped away: not on the page a reader sees
            if upright_page:  # the common case, without the general transform
                x0, x1, top, bottom = left - page_x0, right - page_x0, page_y1 - rtop, page_y1 - rbottom
            else:
                ax, at = point(left, rbottom)
                bx, bt = point(right, rtop)
                x0, x1 = (ax, bx) if ax <= bx else (bx, ax)
                top, bottom = (at, bt) if at <= bt else (bt, at)
            if text != " ":
                dedupe = (text, int(x0 + 0.5), int(top + 0.5))
                if dedupe in seen:
                    continue
                seen_add(dedupe)
            append(Char(text, x0, top, x1, bottom, size, bold, name))
        return chars, rotated
    finally:
        textpage.close()


_RGBA = ctypes.c_uint * 4
_BOUNDS = ctypes.c_float * 4


def _fill_colour(obj: int, rgba=None) -> str | None:
    """A page object's (by address) fill colour as '#rrggbb'; None when it has none or it is
    wholly transparent. `rgba` is scratch space (four unsigned ints), for reuse."""
    if rgba is None:
        rgba = _RGBA()
    base = ctypes.addressof(rgba)
    if not _obj_get_fill_color(obj, base, base + 4, base + 8, base + 12):
        return None
    r, g, b, a = rgba
    if a == 0:
        return None
    return "#%02x%02x%02x" % (r, g, b)


class _GraphicsReader:
    """Collects edges and filled rectangles from path objects, following form XObjects."""

    def __init__(self, frame: _Frame):
        self.frame = frame
        self.edges: list[dict] = []
        self.fills: list[FilledRect] = []
        self.frames: list[tuple[float, float, float, float]] = []
        self.images = 0
        self.segments = 0
        self._m = pdfium_c.FS_MATRIX()
        self._m_address = ctypes.addressof(self._m)
        # The last point read from a path: PDFium leaves its out-parameters alone when it has
        # no point to give, and the reader then goes on with this one.
        self._last_point = (0.0, 0.0)
        self._fillmode = ctypes.c_int()
        self._stroke = ctypes.c_int()
        self._mode_addresses = (ctypes.addressof(self._fillmode), ctypes.addressof(self._stroke))
        self._rgba = _RGBA()
        self._bounds = _BOUNDS()
        self._pending: list[FilledRect] = []
        # Painting order, to find text painted over by a later opaque box (hidden from a reader).
        self._order = 0
        self._texts: list[tuple[int, int, tuple]] = []  # (text object address, order, box)
        self._covers: list[tuple[int, tuple]] = []  # (order, box) of large opaque filled boxes
        # Small filled shapes (bullets, dots, windows in a drawing) by position, with their order,
        # and the opaque shapes painted over things (any outline): a small shape under a later
        # opaque one is hidden from a reader.
        self._small: dict[tuple, int] = {}
        self._opaque: list[tuple[int, tuple]] = []

    def read(self, objects, ctm: tuple, depth: int = 0) -> None:
        """Read page objects, given by address (see `_by_address`), painted under `ctm`."""
        get_type = _obj_get_type
        for obj in objects:
            self._order += 1
            kind = get_type(obj)
            if kind == _PATH:
                if self.segments < MAX_PAGE_SEGMENTS:
                    self._path(obj, ctm)
                else:
                    self._outline(obj, ctm)
            elif kind == _TEXT:
                if depth == 0:
                    self._text(obj)
            elif kind == _FORM:
                sub = _mul(self._matrix(obj), ctm)
                n = _form_count_objects(obj)
                self.read([_form_get_object(obj, i) for i in range(n)], sub, depth + 1)
            elif kind == _IMAGE:
                self.images += 1

    def _text(self, obj: int) -> None:
        bounds = self._bounds
        base = ctypes.addressof(bounds)
        if _obj_get_bounds(obj, base, base + 4, base + 8, base + 12):
            l, b, r, t = bounds
            self._texts.append((obj, self._order, self.frame.box(l, b, r, t)))

    def hidden_texts(self) -> set[int]:
        """Addresses of text objects wholly under an opaque box painted after them."""
        if not self._covers:
            return set()
        hidden = set()
        for address, order, (x0, top, x1, bottom) in self._texts:
            for cover_order, (c0, ctop, c1, cbottom) in self._covers:
                if cover_order > order and c0 <= x0 + 0.5 and ctop <= top + 0.5 and x1 <= c1 + 0.5 and bottom <= cbottom + 0.5:
                    hidden.add(address)
                    break
        return hidden

    def _matrix(self, obj: int) -> tuple:
        m = self._m
        if not _obj_get_matrix(obj, self._m_address):
            return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        return (m.a, m.b, m.c, m.d, m.e, m.f)

    def _path(self, obj: int, ctm: tuple) -> None:
        n = _path_count_segments(obj)
        if n <= 1 or n > MAX_PATH_SEGMENTS:
            return
        self.segments += n
        a, b, c, d, e, f = _mul(self._matrix(obj), ctm)
        xs, ys, types, segments = path_segments(obj, n)
        if None in xs:  # no point for a segment: PDFium left the last one read in place
            last_x, last_y = self._last_point
            for i in range(n):
                if xs[i] is None:
                    xs[i], ys[i] = last_x, last_y
                last_x, last_y = xs[i], ys[i]
        self._last_point = (xs[-1], ys[-1])
        frame = self.frame
        subpaths: list[list[tuple[float, float, bool]]] = []
        current: list[tuple[float, float, bool]] | None = None
        get_close = _segment_get_close
        if frame.rotation == 0:  # the common case, without the general transform (`_Frame.point`)
            fx0, fy1 = frame.x0, frame.y1
            points = [(a * x + c * y + e - fx0, fy1 - (b * x + d * y + f)) for x, y in zip(xs, ys)]
        else:
            point = frame.point
            points = [point(a * x + c * y + e, b * x + d * y + f) for x, y in zip(xs, ys)]
        for i in range(n):
            px, py = points[i]
            seg_type = types[i]
            if seg_type == _MOVETO or current is None:
                current = [(px, py, True)]
                subpaths.append(current)
            else:
                current.append((px, py, seg_type == _LINETO))
                if get_close(segments[i]):
                    start = current[0]
                    current.append((start[0], start[1], True))
        _path_get_draw_mode(obj, *self._mode_addresses)
        filled = self._fillmode.value != 0
        fill = _fill_colour(obj, self._rgba) if filled else None
        opaque = fill is not None and not _obj_has_transparency(obj)
        if not filled and not self._stroke.value:
            return  # an invisible path (clipping helpers)
        page_area = self.frame.width * self.frame.height
        for points in subpaths:
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
            if opaque and (x1 - x0) * (bottom - top) > 0.02 * page_area and is_box(points):
                self._covers.append((self._order, (x0, top, x1, bottom)))
            if fill and max(x1 - x0, bottom - top) <= SMALL_SHAPE:
                self._small[_key(x0, top, x1, bottom)] = self._order
            elif opaque and (x1 - x0) * (bottom - top) >= 4 * SMALL_SHAPE * SMALL_SHAPE:
                self._opaque.append((self._order, (x0, top, x1, bottom)))
            if (x1 - x0) * (bottom - top) > 0.9 * page_area:
                continue  # a page background
            if fill and 4 <= len(points) <= 6 and (x1 - x0) > 2 and (bottom - top) > 2 and is_box(points):
                box = FilledRect(x0, top, x1, bottom, fill)
                if self._stroke.value:
                    self._box_edges(box)
                    self.fills.append(box)
                else:
                    self._pending.append(box)  # edges once gradient bands are merged
                continue
            for (p0x, p0y, _), (p1x, p1y, straight) in zip(points, points[1:]):
                if straight:
                    self._edge(p0x, p0y, p1x, p1y)
            if fill and len(points) >= 4 and (x1 - x0) > 2 and (bottom - top) > 2:
                self.fills.append(FilledRect(x0, top, x1, bottom, fill))
            elif not filled and len(points) >= 4 and min(x1 - x0, bottom - top) >= MIN_FRAME and _closed(points):
                self.frames.append((x0, top, x1, bottom))

    def _outline(self, obj, ctm: tuple) -> None:
        """Past the page's budget of segments (a big drawing), a large opaque filled shape is
        still recorded, by its bounds, as a box that may frame text (a speech bubble painted
        after a skyline); its sides are not read."""
        filled = ctypes.c_int()
        stroke = ctypes.c_int()
        _path_get_draw_mode(obj, ctypes.addressof(filled), ctypes.addressof(stroke))
        if not filled.value or _obj_has_transparency(obj):
            return
        bounds = _BOUNDS()
        base = ctypes.addressof(bounds)
        if not _obj_get_bounds(obj, base, base + 4, base + 8, base + 12):
            return
        l, b, r, t = bounds
        a, bb, c, d, e, f = ctm
        corners = [(a * x + c * y + e, bb * x + d * y + f) for x in (l, r) for y in (b, t)]
        points = [self.frame.point(x, y) for x, y in corners]
        x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
        top, bottom = min(p[1] for p in points), max(p[1] for p in points)
        if min(x1 - x0, bottom - top) >= MIN_FRAME and (x1 - x0) * (bottom - top) < 0.9 * self.frame.width * self.frame.height:
            self.frames.append((x0, top, x1, bottom))

    def _edge(self, p0x: float, p0y: float, p1x: float, p1y: float) -> None:
        dx, dy = abs(p1x - p0x), abs(p1y - p0y)
        if dy <= AXIS_TOLERANCE and dx >= MIN_EDGE_LENGTH:
            y = (p0y + p1y) / 2
            lo, hi = min(p0x, p1x), max(p0x, p1x)
            self.edges.append({"x0": lo, "x1": hi, "top": y, "bottom": y, "width": hi - lo, "height": 0, "orientation": "h"})
        elif dx <= AXIS_TOLERANCE and dy >= MIN_EDGE_LENGTH:
            x = (p0x + p1x) / 2
            lo, hi = min(p0y, p1y), max(p0y, p1y)
            self.edges.append({"x0": x, "x1": x, "top": lo, "bottom": hi, "width": 0, "height": hi - lo, "orientation": "v"})

    def _box_edges(self, b: FilledRect) -> None:
        self._edge(b.x0, b.top, b.x1, b.top)
        self._edge(b.x0, b.bottom, b.x1, b.bottom)
        self._edge(b.x0, b.top, b.x0, b.bottom)
        self._edge(b.x1, b.top, b.x1, b.bottom)

    def finish(self) -> None:
        """Filled boxes without outlines: thin bands stacked edge to edge (a gradient painted as
        strips) become one box, so they do not read as table rows; then every box gives edges."""
        for box in merge_bands(self._pending):
            # A white panel on white paper has no visible sides (thin white strips between
            # coloured cells do, and keep them).
            if not (box.color == "#ffffff" and min(box.x1 - box.x0, box.bottom - box.top) > 10):
                self._box_edges(box)
            self.fills.append(box)
        self._pending = []
        if self._small and self._opaque:
            self.fills = [f for f in self.fills if not self._hidden(f)]

    def _hidden(self, f: FilledRect) -> bool:
        order = self._small.get(_key(f.x0, f.top, f.x1, f.bottom))
        if order is None:
            return False
        return any(o > order and c[0] <= f.x0 and c[1] <= f.top and f.x1 <= c[2] and f.bottom <= c[3] for o, c in self._opaque)


def _key(x0: float, top: float, x1: float, bottom: float) -> tuple:
    return round(x0, 1), round(top, 1), round(x1, 1), round(bottom, 1)


def _closed(points: list[tuple[float, float, bool]]) -> bool:
    """Whether a subpath ends where it began (an outline, not a stroke)."""
    return abs(points[0][0] - points[-1][0]) <= AXIS_TOLERANCE and abs(points[0][1] - points[-1][1]) <= AXIS_TOLERANCE


def read_page(page: pdfium.PdfPage, number: int) -> PageObjects:
    """Everything the layout analysis needs from one page."""
    frame = _Frame(page)
    graphics = _GraphicsReader(frame)
    raw = page.raw
    n = pdfium_c.FPDFPage_CountObjects(raw)
    address = ctypes.cast(raw, ctypes.c_void_p).value
    graphics.read([_page_get_object(address, i) for i in range(n)], (1.0, 0.0, 0.0, 1.0, 0.0, 0.0))
    graphics.finish()
    chars, rotated = read_chars(page, frame, graphics.hidden_texts())
    return PageObjects(
        number=number,
        width=frame.width,
        height=frame.height,
        chars=tuple(chars),
        edges=tuple(graphics.edges),
        fills=tuple(graphics.fills),
        frames=tuple(graphics.frames),
        images=graphics.images,
        rotated_chars=rotated,
    )
