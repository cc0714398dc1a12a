"""PDF copies of letters through LibreOffice (soffice --headless), when it is installed."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
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
