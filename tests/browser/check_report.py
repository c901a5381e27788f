"""Checks a report rendered by a real browser: DOM_FILE PNG_FILE ID...

The DOM (chromium --dump-dom) must hold an element with each id, the chart ids on <svg>
elements, and no <script>. The PNG must not be blank: enough non-white pixels, many distinct
colours, and legend swatches in the Okabe-Ito orange and sky blue. Standard library only (the
PNG is decoded with zlib), so it runs wherever python3 does.
"""
import re
import struct
import sys
import zlib


def check_dom(path, ids):
    dom = open(path, encoding="utf-8").read()
    problems = []
    for i in ids:
        tag = "svg" if i.startswith("chart-") else r"\w+"
        if not re.search(r"<%s\b[^>]*\bid=\"%s\"" % (tag, re.escape(i)), dom):
            problems.append("no <%s id=\"%s\"> in the browser's DOM" % ("svg" if tag == "svg" else "element", i))
    if "<script" in dom:
        problems.append("the page has a <script>")
    svgs = len(re.findall(r"<svg\b", dom))
    print("DOM: %d <svg> elements; ids found: %s" % (svgs, ", ".join(i for i in ids if ('id="%s"' % i) in dom)))
    return problems


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def decode_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("%s is not a PNG" % path)
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise SystemExit("unsupported PNG (depth %d, colour type %d, interlace %d)" % (depth, colour, interlace))
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
            line[x] = (line[x] + (0, a, b, (a + b) // 2, paeth(a, b, c))[kind]) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def check_png(path):
    width, height, bpp, rows = decode_png(path)
    ink, colours = 0, {}
    for row in rows:
        for x in range(0, len(row), bpp):
            rgb = row[x:x + 3]
            if rgb != b"\xff\xff\xff":
                ink += 1
            colours[rgb] = colours.get(rgb, 0) + 1
    share = ink / float(width * height)
    orange, sky = colours.get(bytes((0xE6, 0x9F, 0x00)), 0), colours.get(bytes((0x56, 0xB4, 0xE9)), 0)
    print("PNG: %dx%d, %.1f%% non-white, %d colours, %d orange and %d sky-blue pixels"
          % (width, height, 100 * share, len(colours), orange, sky))
    problems = []
    if share < 0.02:
        problems.append("the screenshot is (nearly) blank: %.2f%% non-white" % (100 * share))
    if len(colours) < 1000:
        problems.append("only %d colours: the charts did not render" % len(colours))
    if orange < 40 or sky < 40:
        problems.append("the Okabe-Ito line colours are missing (orange %d, sky blue %d pixels)" % (orange, sky))
    return problems


def main():
    dom, png, ids = sys.argv[1], sys.argv[2], sys.argv[3:]
    problems = check_dom(dom, ids) + check_png(png)
    for p in problems:
        print("FAIL: " + p)
    print("report screenshot test: %s" % ("ok" if not problems else "FAILED"))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
