"""Is an SVG file inert? An allow-list of SVG elements and attributes.

A logo or a theme's SVG is published on the site's origin; opened directly, an SVG is a
document that could run script or load things from elsewhere. So it is parsed as XML
(no DOCTYPE, hence no entities and nothing fetched) and every element and attribute,
named by namespace URI rather than prefix, must be on the lists below. References may
only point inside the file (`#id`, `url(#id)`), or be an embedded raster image. The file
is published unchanged when it passes and refused, with the line, when it does not.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from dataclasses import dataclass

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# Editors' bookkeeping (Inkscape, Sodipodi, RDF metadata): browsers treat these elements
# and attributes as inert unknowns; their SVG or XHTML children are still checked.
INERT_NS = frozenset({
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://purl.org/dc/elements/1.1/",
    "http://creativecommons.org/ns#",
})

ELEMENTS = frozenset([
    "svg", "g", "defs", "symbol", "use", "title", "desc", "metadata", "switch", "path", "rect",
    "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath",
    "linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern", "marker",
    "image", "style", "filter", "feBlend", "feColorMatrix", "feComponentTransfer",
    "feComposite", "feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap",
    "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR",
    "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight",
    "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence", "animate",
    "animateTransform", "animateMotion", "mpath", "set",
])

ATTRIBUTES = frozenset([
    "id", "class", "style", "lang", "tabindex", "role", "focusable", "aria-label",
    "aria-labelledby", "aria-describedby", "aria-hidden", "version", "baseProfile", "viewBox",
    "preserveAspectRatio", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy",
    "r", "rx", "ry", "fx", "fy", "fr", "d", "points", "pathLength", "transform", "fill",
    "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
    "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "stroke-opacity", "opacity",
    "clip-path", "clip-rule", "clipPathUnits", "mask", "maskUnits", "maskContentUnits",
    "filter", "filterUnits", "primitiveUnits", "color", "color-interpolation",
    "color-interpolation-filters", "display", "visibility", "overflow", "shape-rendering",
    "text-rendering", "image-rendering", "vector-effect", "paint-order", "mix-blend-mode",
    "isolation", "enable-background", "font-family", "font-size", "font-weight", "font-style",
    "font-variant", "font-stretch", "text-anchor", "dominant-baseline", "alignment-baseline",
    "baseline-shift", "letter-spacing", "word-spacing", "text-decoration", "writing-mode",
    "direction", "unicode-bidi", "dx", "dy", "rotate", "textLength", "lengthAdjust",
    "startOffset", "method", "spacing", "side", "offset", "stop-color", "stop-opacity",
    "gradientUnits", "gradientTransform", "spreadMethod", "patternUnits",
    "patternContentUnits", "patternTransform", "markerWidth", "markerHeight", "markerUnits",
    "refX", "refY", "orient", "marker-start", "marker-mid", "marker-end", "in", "in2",
    "result", "stdDeviation", "mode", "type", "values", "operator", "k1", "k2", "k3", "k4",
    "flood-color", "flood-opacity", "lighting-color", "tableValues", "slope", "intercept",
    "amplitude", "exponent", "baseFrequency", "numOctaves", "seed", "stitchTiles", "scale",
    "xChannelSelector", "yChannelSelector", "radius", "order", "kernelMatrix",
    "kernelUnitLength", "divisor", "bias", "targetX", "targetY", "edgeMode", "preserveAlpha",
    "surfaceScale", "specularConstant", "specularExponent", "diffuseConstant", "azimuth",
    "elevation", "z", "pointsAtX", "pointsAtY", "pointsAtZ", "limitingConeAngle",
    "attributeName", "attributeType", "begin", "dur", "end", "min", "max", "restart",
    "repeatCount", "repeatDur", "fill", "from", "to", "by", "calcMode", "keyTimes",
    "keySplines", "keyPoints", "additive", "accumulate", "path", "media", "requiredExtensions",
    "requiredFeatures", "systemLanguage",
])
LINKS = frozenset({"href", f"{XLINK_NS} href"})
XML_ATTRIBUTES = frozenset({f"{XML_NS} space", f"{XML_NS} lang"})
XLINK_ATTRIBUTES = frozenset({f"{XLINK_NS} title", f"{XLINK_NS} type"})
ANIMATIONS = frozenset({"animate", "animateTransform", "animateMotion", "set"})
# Animations may change presentation, never where something points or what runs.
ANIMATABLE = ATTRIBUTES - {"href", "style", "class", "id", "attributeName", "begin"}
# Values read as CSS, where url() (or an escaped spelling of it) could fetch something.
CSS_ATTRIBUTES = frozenset([
    "style", "fill", "stroke", "filter", "clip-path", "mask", "marker-start", "marker-mid",
    "marker-end", "color", "cursor", "from", "to", "by", "values", "font-family",
])

LOCAL_REF = re.compile(r"#[A-Za-z_][\w.:-]*")
RASTER = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*")
# CSS (style elements and attributes, presentation values): only these functions, and
# url() only to a fragment. Backslashes (CSS escapes) and at-rules (@import, @font-face)
# are refused outright, so nothing can be spelled in a way this check does not see.
CSS_FUNCTION = re.compile(r"([A-Za-z-]*)\s*\(")
CSS_FUNCTIONS = frozenset({"rgb", "rgba", "hsl", "hsla", "url", "translate", "translatex",
                           "translatey", "rotate", "scale", "scalex", "scaley", "skewx",
                           "skewy", "matrix", "calc", "var", ""})
# What follows "url(": a quoted or bare reference and the closing parenthesis. CSS reads an
# unclosed url( at the end of a style as a URL all the same, so the ")" is required here.
CSS_URL_REST = re.compile(r"\s*(['\"]?)([^'\"()]*)\1\s*\)")


@dataclass(frozen=True)
class SvgProblem(Exception):
    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message


def check_svg(data: bytes) -> None:
    """Raise SvgProblem if the SVG is not on the allow-list (or not well-formed XML)."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    depth = [0]
    style: list[tuple[int, list[str]]] = []  # open <style>: its line and text

    def refuse(message: str) -> None:
        raise SvgProblem(parser.CurrentLineNumber, message)

    def doctype(*_: object) -> None:
        refuse("a DOCTYPE (and with it entities and external files) is not allowed")

    def instruction(target: str, _data: str) -> None:
        refuse(f"processing instructions such as <?{target}?> are not allowed")

    def start(name: str, attrs: dict[str, str]) -> None:
        ns, _, local = name.rpartition(" ")
        if depth[0] == 0 and name != f"{SVG_NS} svg":
            refuse("the root element must be <svg> in the SVG namespace "
                   f"(xmlns=\"{SVG_NS}\")")
        depth[0] += 1
        if ns in INERT_NS:
            return
        if ns != SVG_NS or local not in ELEMENTS:
            refuse(f"element <{_show(name)}> is not allowed in an SVG here")
        for key, value in attrs.items():
            check_attribute(local, key, value)
        target = attrs.get("attributeName", "").strip().rpartition(":")[2]
        if local in ANIMATIONS and local != "animateMotion" and target not in ANIMATABLE:
            refuse(f"<{local}> may not change '{attrs.get('attributeName', '')}'")
        if local == "style":
            style.append((parser.CurrentLineNumber, []))

    def check_attribute(element: str, key: str, value: str) -> None:
        if key in LINKS:
            target = value.strip()
            if not (LOCAL_REF.fullmatch(target) or (element == "image" and
                    RASTER.fullmatch(target))):
                refuse(f"<{element}> links to '{target[:60]}': only references inside the "
                       "file (#id) are allowed")
        elif key.partition(" ")[0] in INERT_NS or key in XML_ATTRIBUTES | XLINK_ATTRIBUTES:
            pass
        elif key not in ATTRIBUTES:
            refuse(f"attribute '{_show(key)}' on <{element}> is not allowed")
        css = css_problem(value) if key in CSS_ATTRIBUTES else ""
        if css:
            refuse(f"attribute '{_show(key)}' on <{element}>: {css}")

    def end(name: str) -> None:
        depth[0] -= 1
        if name == f"{SVG_NS} style":
            line, text = style.pop()
            css = css_problem("".join(text))
            if css:
                raise SvgProblem(line, f"<style>: {css}")

    def text(data: str) -> None:
        if style:
            style[-1][1].append(data)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.ProcessingInstructionHandler = instruction
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise SvgProblem(exc.lineno, f"not well-formed XML: "
                         f"{xml.parsers.expat.ErrorString(exc.code)}") from None


def css_problem(text: str) -> str:
    """Why a CSS text (or an attribute value) could reach outside the file, or ''."""
    if "\\" in text or "@" in text:
        return "CSS escapes and at-rules (@import, @font-face...) are not allowed"
    for match in CSS_FUNCTION.finditer(text):
        if match.group(1).lower() not in CSS_FUNCTIONS:
            return f"CSS function '{match.group(1)}()' is not allowed"
    for match in CSS_FUNCTION.finditer(text):
        if match.group(1).lower() == "url":
            rest = CSS_URL_REST.match(text, match.end())
            if rest is None or not LOCAL_REF.fullmatch(rest.group(2).strip()):
                return "url() may only refer to an element of the same file (url(#id))"
    return ""


def _show(name: str) -> str:
    """An expanded name as it reads in a message: {namespace}local."""
    ns, _, local = name.rpartition(" ")
    return f"{{{ns}}}{local}" if ns else local
