"""PDF copies of letters through LibreOffice (soffice --headless), when it is installed."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cases.errors import Refused

PROGRAMS = ("soffice", "libreoffice")
# Where the Windows installer puts it; it does not add itself to PATH.
WINDOWS_PLACES = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
TIMEOUT_S = 120.0

MISSING = (
    "未找到 LibreOffice（soffice），无法生成 PDF：请安装 LibreOffice 并把 soffice 加入 PATH，"
    "或者改为输出 .docx 文件"
)


class PdfUnavailable(Refused):
    """LibreOffice is not installed here; the message says what to do, in Chinese."""

    def __init__(self, message: str, field: str = "pdf") -> None:
        super().__init__(field, message)


class PdfFailed(Refused):
    """LibreOffice ran but produced no PDF; the message says what happened, in Chinese."""

    def __init__(self, message: str, field: str = "pdf") -> None:
        super().__init__(field, message)


def find_soffice() -> str | None:
    """The LibreOffice program to run, or None when there is none."""
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    if sys.platform == "win32":
        for place in WINDOWS_PLACES:
            if Path(place).is_file():
                return place
    return None


def available() -> bool:
    return find_soffice() is not None


def _stop(process: subprocess.Popen[bytes]) -> None:
    # soffice starts soffice.bin as a child: end the whole group, not only the launcher.
    if sys.platform != "win32":
        with contextlib.suppress(ProcessLookupError):  # it may have ended by itself
            os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()
    process.wait()


def docx_to_pdf(content: bytes, *, timeout: float = TIMEOUT_S) -> bytes:
    """Convert one .docx (as bytes) to PDF bytes.

    Each conversion runs in its own temporary folder with its own LibreOffice profile
    (-env:UserInstallation), so conversions running at the same time, or a LibreOffice window
    the user has open, do not block each other.
    """
    program = find_soffice()
    if program is None:
        raise PdfUnavailable(MISSING)
    with tempfile.TemporaryDirectory(prefix="disclosure-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "letter.docx"
        source.write_bytes(content)
        profile = (folder / "profile").as_uri()
        command = [
            program,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=sys.platform != "win32",
        )
        try:
            _out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            _stop(process)
            raise PdfFailed(f"LibreOffice 在 {timeout:.0f} 秒内未完成 PDF 转换，已终止") from exc
        target = folder / "letter.pdf"
        if process.returncode != 0 or not target.is_file():
            detail = err.decode("utf-8", "replace").strip().splitlines()
            reason = detail[-1] if detail else f"退出码 {process.returncode}"
            raise PdfFailed(f"LibreOffice 未能生成 PDF：{reason}")
        return target.read_bytes()


def convert_file(docx: Path, pdf: Path, *, timeout: float = TIMEOUT_S) -> Path:
    """Write the PDF of a .docx file beside or wherever asked; returns the PDF's path."""
    pdf.write_bytes(docx_to_pdf(docx.read_bytes(), timeout=timeout))
    return pdf


# --------------------------------------------------------------------------- batches and fonts

# The fonts the letters name (GB/T 9704) and the PostScript names a PDF embeds them under; a
# font found under none of its names was replaced by LibreOffice with another one.
REQUIRED_FONTS: dict[str, tuple[str, ...]] = {
    "仿宋_GB2312": ("FangSong_GB2312", "FangSong", "FangSongGB2312", "FZFangSong"),
    "方正小标宋简体": ("FZXiaoBiaoSong-B05S", "FZXBSJW", "FZXiaoBiaoSong"),
    "黑体": ("SimHei", "HeiTi"),
    "楷体_GB2312": ("KaiTi_GB2312", "KaiTi", "KaiTiGB2312"),
    "宋体": ("SimSun", "NSimSun"),
}
_EMBEDDED = re.compile(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([A-Za-z0-9_\-#]+)")


@dataclass(frozen=True)
class FontReport:
    """Which of the required fonts a PDF lacks, and which fonts it used instead."""

    missing: tuple[str, ...]
    used: tuple[str, ...]

    def message(self) -> str:
        if not self.missing:
            return ""
        return (
            f"本机缺少文书所需字体：{'、'.join(self.missing)}；PDF 已改用 "
            f"{'、'.join(self.used) or '其他字体'} 代替，版式和字形与正式文书会有差异。"
            "请安装所缺字体后重新生成"
        )


def font_report(data: bytes, wanted: Sequence[str] = tuple(REQUIRED_FONTS)) -> FontReport:
    """Compare the fonts a PDF embeds with the fonts the letter asks for."""
    used = tuple(sorted({m.decode("ascii", "replace") for m in _EMBEDDED.findall(data)}))
    lowered = {u.lower() for u in used}
    missing = tuple(
        name
        for name in wanted
        if not any(alias.lower() in lowered for alias in REQUIRED_FONTS.get(name, (name,)))
    )
    known = {alias.lower() for aliases in REQUIRED_FONTS.values() for alias in aliases}
    instead = tuple(u for u in used if u.lower() not in known)
    return FontReport(missing, instead)


def docx_to_pdf_many(contents: Sequence[bytes], *, timeout: float = TIMEOUT_S) -> list[bytes]:
    """Convert several .docx in one LibreOffice run (start-up dominates a single conversion)."""
    program = find_soffice()
    if program is None:
        raise PdfUnavailable(MISSING)
    with tempfile.TemporaryDirectory(prefix="disclosure-pdf-") as tmp:
        folder = Path(tmp)
        sources = []
        for index, content in enumerate(contents):
            source = folder / f"letter{index:04d}.docx"
            source.write_bytes(content)
            sources.append(source)
        command = [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *map(str, sources),
        ]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=sys.platform != "win32",
        )
        try:
            _out, err = process.communicate(timeout=timeout * max(1, len(contents) / 10))
        except subprocess.TimeoutExpired as exc:
            _stop(process)
            raise PdfFailed("LibreOffice 未能在限定时间内完成 PDF 转换，已终止") from exc
        results = []
        for source in sources:
            target = source.with_suffix(".pdf")
            if not target.is_file():
                detail = err.decode("utf-8", "replace").strip().splitlines()
                reason = detail[-1] if detail else f"退出码 {process.returncode}"
                raise PdfFailed(f"LibreOffice 未能生成 {source.name} 的 PDF：{reason}")
            results.append(target.read_bytes())
        return results
