"""Reading inputs: every fixture is built here, in tmp_path, at test time (no binary files in the
repository). The central test walks one folder holding every kind of good and bad input and
checks that each file gives exactly one Document or one ReadFailure naming it."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import docx
import pytest

from xxgk.extract import sources
from xxgk.extract.convert import convert
from xxgk.extract.decode import decode_bytes, looks_traditional
from xxgk.extract.document import Document, ReadError, ReadFailure
from xxgk.extract.htmltext import html_to_text
from xxgk.extract.read import flag_duplicates, read_documents
from xxgk.extract.settings import load_settings
from xxgk.extract.sources import iter_sources

REPORT = (
    "某县人民政府2019年政府信息公开工作年度报告\n"
    "一、总体情况\n2019年，我县在网站发布信息共计374条。\n"
    "二、主动公开政府信息情况\n信息内容\t本年新制作数量\n规章\t0\n规范性文件\t12\n"
    "五、存在的主要问题及改进措施\n下一步，我县将进一步提升政府信息公开工作水平。\n"
)
TRADITIONAL = (
    "2020年開平市農業農村局政府信息公開工作年度報告\n一、總體情況\n"
    "根據《條例》，本局主動公開信息12條，這是對社會關於開放的說明。\n"
)

HTML = """<!DOCTYPE html><html><head><meta charset="gbk"><title>网站标题</title>
<style>.x{color:red}</style><script>var nav = "菜单";</script></head>
<body><div class="nav top"><a href="/">首页</a><a>政务公开</a></div>
<header><p>某县人民政府门户网站</p></header>
<div id="content"><h1>某县2019年政府信息公开工作年度报告</h1>
<p>一、总体情况</p><p>2019年，我县在网站发布信息共计374条。<br>第二行。</p>
<table><tr><th>信息内容</th><th>本年新制作数量</th></tr><tr><td>规章</td><td>0</td></tr></table>
</div><nav>上一篇 下一篇</nav><footer>版权所有 网站地图</footer></body></html>"""


def pdf_bytes(content: bytes, resources: bytes) -> bytes:
    """A minimal one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Resources " + resources
        + b" /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


PDF_TEXT = pdf_bytes(b"BT /F1 14 Tf 20 150 Td (Annual report 2019) Tj 0 -20 Td (Items 374) Tj ET",
                     b"<< /Font << /F1 5 0 R >> >>")
PDF_IMAGE_ONLY = pdf_bytes(b"q 100 0 0 100 50 50 cm BI /W 2 /H 2 /BPC 8 /CS /G ID \x00\xff\xff\x00 EI Q",
                           b"<< >>")


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("某局2020年政府信息公开工作年度报告")
    document.add_paragraph("一、总体情况")
    document.add_paragraph("2020年，我局主动公开信息374条。")
    document.add_paragraph("二、主动公开政府信息情况")
    table = document.add_table(rows=3, cols=2)
    for row, cells in zip(table.rows, [("信息内容", "本年制发件数"), ("规章", "0"), ("行政规范性文件", "12")],
                          strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    document.add_paragraph("五、存在的主要问题及改进情况")
    document.add_paragraph("下一步将加强培训。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def tar_gz_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def gbk_named_zip() -> bytes:
    """A zip whose member name is GBK without the UTF-8 flag, as Chinese Windows tools write."""
    gbk_name = "报告.txt".encode("gbk")
    placeholder = b"X" * (len(gbk_name) - 4) + b".txt"
    data = zip_bytes({placeholder.decode(): REPORT.encode("utf-8")})
    return data.replace(placeholder, gbk_name)


# ---------------------------------------------------------------- the whole mix


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    files = {
        "utf8.txt": REPORT.encode("utf-8"),
        "utf8-bom.txt": REPORT.encode("utf-8-sig"),
        "utf16.txt": REPORT.encode("utf-16"),
        "gbk.txt": REPORT.encode("gbk"),
        "big5.txt": TRADITIONAL.encode("big5"),
        "page.html": HTML.encode("gbk"),
        "report.docx": docx_bytes(),
        "text-layer.pdf": PDF_TEXT,
        "sub/scanned.pdf": PDF_IMAGE_ONLY,
        "sub/copy-of-utf8.txt": REPORT.encode("utf-8"),
        "empty.txt": b"",
        "blank.txt": b" \n\n",
        "junk.txt": bytes(range(256)) * 8,
        "undecodable.txt": b"\x80\x80 report \xff",
        "really-a-zip.txt": zip_bytes({"a.txt": b"x"}),
        "really-text.pdf": REPORT.encode("utf-8"),
        "picture.png": b"\x89PNG\r\n\x1a\n....",
        "truncated.zip": zip_bytes({"a.txt": REPORT.encode("utf-8")})[:40],
        "truncated.tar.gz": tar_gz_bytes({"first.txt": b"1", "second.txt": REPORT.encode() * 200})[:-400],
        "bundle.zip": zip_bytes({
            "2019/a.txt": REPORT.replace("374", "375").encode("utf-8"),
            "2019/b.htm": HTML.encode("gbk"),
            "__MACOSX/2019/._a.txt": b"\x00\x05\x16\x07",
            "bad.bin": b"\x00\x01",
        }),
        "batch.tar.gz": tar_gz_bytes({
            "inner.zip": zip_bytes({"deep.txt": REPORT.replace("374", "376").encode("gb18030"),
                                    "deep.docx": docx_bytes()}),
            "top.txt": REPORT.replace("374", "377").encode("utf-8"),
        }),
        "gbk-names.zip": gbk_named_zip(),
        ".DS_Store": b"\x00\x00\x00\x01Bud1",
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    return root


EXPECTED = {
    "utf8.txt": "ok",
    "utf8-bom.txt": "ok",
    "utf16.txt": "ok",
    "gbk.txt": "ok",
    "big5.txt": "ok",
    "page.html": "ok",
    "report.docx": "ok",
    "text-layer.pdf": "ok",
    "sub/scanned.pdf": "no text layer",
    "sub/copy-of-utf8.txt": "ok",
    "empty.txt": "empty file",
    "blank.txt": "no text",
    "junk.txt": "undecodable",
    "undecodable.txt": "undecodable",
    "really-a-zip.txt": "content is a ZIP archive",
    "really-text.pdf": "content is text",
    "picture.png": "unsupported file type .png",
    "truncated.zip": "not a readable zip archive",
    "truncated.tar.gz/first.txt": "ok",
    "truncated.tar.gz": "damaged or truncated tar archive, stopped after 1 member",
    "bundle.zip/2019/a.txt": "ok",
    "bundle.zip/2019/b.htm": "ok",
    "bundle.zip/bad.bin": "unsupported file type .bin",
    "batch.tar.gz/inner.zip/deep.txt": "ok",
    "batch.tar.gz/inner.zip/deep.docx": "ok",
    "batch.tar.gz/top.txt": "ok",
    "gbk-names.zip/报告.txt": "ok",
}


def test_every_input_gives_one_document_or_one_named_failure(inputs: Path) -> None:
    items = list(read_documents([str(inputs)]))
    seen = {}
    for item in items:
        key = item.doc_id if isinstance(item, Document) else item.path
        assert key not in seen, f"{key} yielded twice"
        seen[key] = "ok" if isinstance(item, Document) else item.reason
    assert set(seen) == set(EXPECTED)
    for key, expected in EXPECTED.items():
        if expected == "ok":
            assert seen[key] == "ok", f"{key}: {seen[key]}"
        else:
            assert expected in seen[key], f"{key}: {seen[key]!r} does not say {expected!r}"


def test_documents_carry_text_blocks_and_meta(inputs: Path) -> None:
    docs = {d.doc_id: d for d in read_documents([str(inputs)]) if isinstance(d, Document)}
    for doc in docs.values():
        assert "".join(doc.block_text(b) for b in doc.blocks) == doc.text
    assert docs["utf8.txt"].text == REPORT
    assert docs["utf8-bom.txt"].text == REPORT  # the BOM is an encoding mark, not text
    assert docs["utf16.txt"].text == REPORT
    assert docs["gbk.txt"].text == REPORT
    assert docs["gbk.txt"].meta["encoding"] == "gb18030"
    assert docs["utf16.txt"].meta["encoding"] == "utf-16"
    assert docs["utf8-bom.txt"].meta["encoding"] == "utf-8-sig"
    big5 = docs["big5.txt"]
    assert big5.text == TRADITIONAL and big5.meta["encoding"] == "big5hkscs" and big5.meta["traditional"]
    assert not docs["utf8.txt"].meta["traditional"]
    meta = docs["utf8.txt"].meta
    assert meta["format"] == "txt" and meta["archive"] is None
    assert meta["source"] == str(inputs / "utf8.txt")
    assert meta["title"] == "某县人民政府2019年政府信息公开工作年度报告"
    assert (meta["agency"], meta["year"]) == ("某县人民政府", 2019)
    assert len(meta["text_sha256"]) == 64
    deep = docs["batch.tar.gz/inner.zip/deep.txt"].meta
    assert deep["archive"] == "batch.tar.gz/inner.zip" and deep["source"] == str(inputs / "batch.tar.gz")
    assert docs["report.docx"].meta["format"] == "docx" and docs["report.docx"].meta["encoding"] is None
    assert "Items 374" in docs["text-layer.pdf"].text and docs["text-layer.pdf"].meta["format"] == "pdf"


def test_duplicates_are_flagged_not_dropped(inputs: Path) -> None:
    docs = [d for d in read_documents([str(inputs)]) if isinstance(d, Document)]
    by_id = {d.doc_id: d for d in docs}
    same = {d.doc_id for d in docs if d.text == REPORT}
    assert same == {"utf8.txt", "utf8-bom.txt", "utf16.txt", "gbk.txt", "sub/copy-of-utf8.txt",
                    "gbk-names.zip/报告.txt"}
    first = min(same, key=[d.doc_id for d in docs].index)
    assert "duplicate_of" not in by_id[first].meta
    assert all(by_id[d].meta["duplicate_of"] == first for d in same - {first})
    assert "duplicate_of" not in by_id["batch.tar.gz/top.txt"].meta


def test_flag_duplicates_passes_failures_through() -> None:
    failure = ReadFailure("x.txt", "empty file")
    a = Document("a", "", [], {"text_sha256": "h"})
    b = Document("b", "", [], {"text_sha256": "h"})
    assert list(flag_duplicates([a, failure, b])) == [a, failure, b]
    assert b.meta["duplicate_of"] == "a" and "duplicate_of" not in a.meta


# ---------------------------------------------------------------- walking


def test_globs_files_and_missing_inputs(inputs: Path) -> None:
    (inputs / "empty-folder").mkdir()
    items = list(iter_sources([str(inputs / "*.txt"), str(inputs / "sub" / "scanned.pdf"),
                               str(inputs / "nothing-here"), str(inputs / "*.nomatch"),
                               str(inputs / "empty-folder")]))
    ids = [i.doc_id if isinstance(i, sources.Source) else i.path for i in items]
    assert "utf8.txt" in ids and "scanned.pdf" in ids
    assert all("/" not in i for i in ids[:-3])  # ids relative to the glob's folder
    failures = [i for i in items if isinstance(i, ReadFailure)]
    assert [f.reason for f in failures][-3:] == [
        "no such file or folder", "pattern matched no file", "folder holds no files (or only ignored names)",
    ]
    # a file whose first bytes contradict its extension is refused by the walk, before a full read
    assert [(f.path, f.reason) for f in failures[:-3]] == [
        ("really-a-zip.txt", "content is a ZIP archive (or .docx), not what the extension .txt says, not read")]


def test_walk_is_lazy_and_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("b.txt", "a.txt", "sub/c.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(REPORT, encoding="utf-8")
    reads = []
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: reads.append(self.name) or real_open(self, *a, **k))
    stream = read_documents([str(tmp_path)])
    assert next(stream).doc_id == "a.txt"
    assert reads == ["a.txt"]  # nothing read ahead of the consumer
    assert [d.doc_id for d in stream] == ["b.txt", "sub/c.txt"]


def test_oversized_members_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    small = {**settings, "sources": {**settings["sources"], "max_bytes": 10}}
    monkeypatch.setattr(sources, "load_settings", lambda: small)
    (tmp_path / "big.txt").write_bytes(b"x" * 11)
    (tmp_path / "a.zip").write_bytes(zip_bytes({"big.txt": b"x" * 11, "ok.txt": b"ok"}))
    items = list(iter_sources([str(tmp_path)]))
    reasons = {i.path: i.reason for i in items if isinstance(i, ReadFailure)}
    assert set(reasons) == {"big.txt", "a.zip/big.txt"}
    assert all("too large" in r for r in reasons.values())
    assert [i.doc_id for i in items if isinstance(i, sources.Source)] == ["a.zip/ok.txt"]


# ---------------------------------------------------------------- decoding and converting


def test_decoding_prefers_utf8_then_declared_then_chaos() -> None:
    assert decode_bytes("报告".encode()).encoding == "utf-8"
    assert decode_bytes("報告".encode("big5")).text == "報告"
    assert decode_bytes("政府信息公开".encode("gbk"), declared="gb2312").encoding == "gb18030"
    assert decode_bytes(b"\xff\xfe" + "年度".encode("utf-16-le")).text == "年度"
    with pytest.raises(ReadError, match="empty"):
        decode_bytes(b"")
    with pytest.raises(ReadError, match="binary"):
        decode_bytes(b"abc\x00\x00def")
    assert looks_traditional(TRADITIONAL) and not looks_traditional(REPORT)


def test_html_keeps_main_text_rows_and_breaks() -> None:
    text = html_to_text(HTML)
    assert text.splitlines() == [
        "某县2019年政府信息公开工作年度报告",
        "一、总体情况",
        "2019年，我县在网站发布信息共计374条。",
        "第二行。",
        "信息内容\t本年新制作数量",
        "规章\t0",
    ]
    small = "<p>a&nbsp;b</p><pre>x\n  y</pre><table><tr><td>1<td>2</table>"
    assert html_to_text(small) == "a\xa0b\nx\n  y\n1\t2"


def test_docx_tables_become_tab_separated_lines() -> None:
    converted = convert("r.docx", docx_bytes())
    assert "规章\t0\n行政规范性文件\t12" in converted.text
    with pytest.raises(ReadError, match=r"not a readable \.docx"):
        convert("r.docx", zip_bytes({"word/other.xml": b"<x/>"}))


def test_pdf_text_layer_and_its_absence() -> None:
    assert "Annual report 2019" in convert("r.pdf", PDF_TEXT).text
    with pytest.raises(ReadError, match="no text layer"):
        convert("r.pdf", PDF_IMAGE_ONLY)
    with pytest.raises(ReadError, match="not a readable PDF"):
        convert("r.pdf", PDF_TEXT[:120])
