#!/usr/bin/env python3
"""Makes ui/fonts/symbols.otf: the glyphs of Fyne's bundled emoji font
(EmojiOne Color) that the workbench's own text draws from it, unchanged,
in a font of their own (see ui/theme_symbols.go). Needs fontTools (Debian:
apt-get install fonttools). Usage, from the module root:

    scripts/symbol-font.py "$(go env GOMODCACHE)/fyne.io/fyne/v2@v2.7.1/theme/font/EmojiOneColor.otf" \
        U+0020 U+0023 U+002A U+0030 U+0031 U+0032 U+0033 U+0034 U+0035 \
        U+0036 U+0037 U+0038 U+0039 U+00A9 U+00AE U+26A0
"""
import sys

from fontTools import subset
from fontTools.ttLib import TTFont

src, codes = sys.argv[1], [int(c.removeprefix("U+"), 16) for c in sys.argv[2:]]
font = TTFont(src)
opts = subset.Options()
opts.name_IDs, opts.name_languages = ["*"], ["*"]  # the copyright and licence records stay
opts.notdef_outline = True
opts.layout_features = ["*"]
opts.drop_tables = [t for t in opts.drop_tables if t != "SVG "]  # the colour glyphs
sub = subset.Subsetter(opts)
sub.populate(unicodes=codes)
sub.subset(font)
# A modified version goes by a name of its own.
for rec in font["name"].names:
    if rec.nameID in (1, 4):
        rec.string = "Credential Workbench Symbols"
    elif rec.nameID == 3:
        rec.string = "1.000;ADBO;CredWorkbenchSymbols (subset of EmojiOneColor)"
    elif rec.nameID == 6:
        rec.string = "CredWorkbenchSymbols"
if "DSIG" in font:
    del font["DSIG"]  # the signature no longer matches
font.save("ui/fonts/symbols.otf")
