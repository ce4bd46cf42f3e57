"""Status for other sites to show: SVG badges in the flat shields.io style (badge.svg for
the page, components/<id>/badge.svg for each component). The embed widget page is one of
the HTML pages (outputs/pages.py).

Text widths come from Verdana's advance widths at 11px (the font shields uses), and each
text also carries that width as `textLength`, so a viewer that falls back to another font
squeezes or stretches the glyphs to fit instead of overflowing the box.
"""

from __future__ import annotations

import html
import math
import unicodedata
from dataclasses import dataclass

from generator.outputs.context import Context
from generator.site.paths import component_dir
from generator.state.rules import STATUS_IMPACT

FONT_SIZE = 11
PADDING = 6  # px each side of a text
HEIGHT = 20
LABEL_COLOR = "#555555"
# White text on every colour has a contrast ratio of at least 4.5:1 (WCAG AA).
STATUS_COLORS = {
    "operational": "#2e7d32",
    "under_maintenance": "#0969da",
    "degraded_performance": "#9a6700",
    "partial_outage": "#bc4c00",
    "major_outage": "#b91c1c",
}
INDICATOR_COLORS = {STATUS_IMPACT[status]: color for status, color in STATUS_COLORS.items()}

# Verdana advance widths in 1/1000 em, by character. Characters that share a width are
# grouped; accented letters have their base letter's width.
_WIDTH_GROUPS: dict[int, str] = {
    268: "'‘’‚",
    274: "ilìíîï",
    344: "j",
    351: " \u00a0f",
    363: ",.·",
    393: "!¡",
    394: "t",
    420: "IÌÍÎÏ",
    426: "r",
    454: "()-/:;[\\]|¦J\u00ad‹›",
    458: "\"“”„",
    520: "csçš",
    525: "zž",
    541: "°²³¹",
    545: "?¿ªº•",
    556: "L",
    574: "F",
    591: "kvxyýÿ",
    595: "eèéêë",
    600: "aàáâãäå",
    603: "P",
    605: "Þ",
    606: "oòóôõöø",
    611: "ð",
    615: "YÝŸ",
    616: "T",
    620: "ß",
    623: "bdgpqþ",
    632: "EÈÉÊËhnñuùúûü",
    634: "{}",
    635: "$0123456789*_`¢£¤¥§¨¯´¶¸€–",
    639: "µ",
    644: "«»",
    683: "AÀÁÂÃÄÅSŠV",
    685: "BXZŽ",
    692: "K",
    695: "R",
    698: "CÇ",
    726: "&",
    731: "UÙÚÛÜ",
    748: "NÑ",
    751: "H",
    770: "D",
    775: "GÐ",
    787: "OÒÓÔÕÖØQ",
    818: "#+<=>^~¬±×÷w…",
    842: "M",
    955: "æ",
    972: "m",
    981: "œ",
    984: "Æ",
    988: "W",
    1000: "@©®¼½¾—",
    1069: "Œ",
    1076: "%",
}
VERDANA_WIDTHS = {ch: width for width, chars in _WIDTH_GROUPS.items() for ch in chars}
FALLBACK_WIDTH = 1000  # unknown characters (other scripts) count as one em: never too narrow


def escape(text: str) -> str:
    """Text for an XML element: &, < and > as entities, quotes as they are (the bytes of
    xml.sax.saxutils.escape, which loads urllib.request and http.client: ~26 ms)."""
    return html.escape(text, quote=False)


# Kept in an attribute, line breaks and tabs would be read back as spaces.
_ATTRIBUTE_WHITESPACE = str.maketrans({"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def quoteattr(text: str) -> str:
    """An attribute value with its quotes, as xml.sax.saxutils.quoteattr writes it: double
    quotes, or single quotes around a text with double quotes and none of its own, else
    double quotes with each double quote as &quot;."""
    value = escape(text).translate(_ATTRIBUTE_WHITESPACE)
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'


def text_width(text: str) -> int:
    """Width in whole pixels of `text` in Verdana 11px, rounded up."""
    units = sum(VERDANA_WIDTHS.get(ch, FALLBACK_WIDTH) for ch in unicodedata.normalize("NFC", text)
                if unicodedata.category(ch) != "Mn")
    return math.ceil(units * FONT_SIZE / 1000)


@dataclass(frozen=True)
class Badge:
    label: str
    message: str
    color: str

    def svg(self) -> bytes:
        label_text, message_text = text_width(self.label), text_width(self.message)
        left, right = label_text + 2 * PADDING, message_text + 2 * PADDING
        width = left + right
        name = f"{self.label}: {self.message}"
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
            f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-label={quoteattr(name)}>',
            f"<title>{escape(name)}</title>",
            '<linearGradient id="shine" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
            'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>',
            f'<clipPath id="round"><rect width="{width}" height="{HEIGHT}" rx="3" fill="#fff"/>'
            "</clipPath>",
            f'<g clip-path="url(#round)"><rect width="{left}" height="{HEIGHT}" '
            f'fill="{LABEL_COLOR}"/><rect x="{left}" width="{right}" height="{HEIGHT}" '
            f'fill="{self.color}"/><rect width="{width}" height="{HEIGHT}" fill="url(#shine)"/>'
            "</g>",
            '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,'
            f'sans-serif" font-size="{FONT_SIZE}">',
            *_text(left / 2, label_text, self.label),
            *_text(left + right / 2, message_text, self.message),
            "</g>",
            "</svg>",
        ]
        return ("\n".join(parts) + "\n").encode("utf-8")


def _text(center: float, length: int, text: str) -> list[str]:
    """A text with shields' 1px drop shadow, fitted to exactly `length` pixels."""
    fit = f'textLength="{length}" lengthAdjust="spacingAndGlyphs"'
    return [
        f'<text x="{center:g}" y="15" fill="#010101" fill-opacity=".3" {fit} '
        f'aria-hidden="true">{escape(text)}</text>',
        f'<text x="{center:g}" y="14" {fit}>{escape(text)}</text>',
    ]


def badge_files(ctx: Context) -> dict[str, bytes]:
    content, state = ctx.content, ctx.state
    t = ctx.t
    files = {"badge.svg": Badge(t("status_page"), t("indicator." + state.indicator),
                                INDICATOR_COLORS[state.indicator]).svg()}
    for component in content.listed_components:
        status = state.component_status[component.id]
        files[component_dir(component.id) + "badge.svg"] = Badge(
            component.name, t("component_status." + status), STATUS_COLORS[status]).svg()
    return files
