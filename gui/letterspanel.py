"""The letters (文书) of a case: draft, edit in Word or WPS, take back, issue, print, serve.

A draft is written to a file in the data folder and opened with the system's word processor
(QDesktopServices); the handler edits and saves it there, and 取回修改稿 stores that file as the
draft through the core (which refuses a file that is not a .docx or lost a required part). An
issued letter opens as a read-only copy: it is immutable in the file.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from cases import actions
from cases.errors import Refused
from cases.result import Changes, Result
from cases.rules.handbook import LETTER_KIND_ORDER
from cases.rules.workflow import handbook
from cases.storage.model import Case, Letter, User
from cases.storage.paths import data_dir, private_dir, private_file
from gui import labels
from gui.operations import OperationRunner

__all__ = ["LetterRow", "LetterTableModel", "LettersPanel", "letter_file"]

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("文书", "状态", "文号", "生成人", "生成时间", "发文时间")


@dataclass(frozen=True)
class LetterRow:
    id: int
    kind: str
    status: str
    number: str | None
    created_by: str
    created_at: dt.datetime
    issued_at: dt.datetime | None


def letter_rows(session: Session, case_id: int) -> list[LetterRow]:
    case = session.get(Case, case_id)
    if case is None:
        return []
    return [
        LetterRow(x.id, x.kind, x.status, x.number, x.created_by, x.created_at, x.issued_at)
        for x in case.letters
    ]


def draftable_kinds(step: str) -> list[str]:
    """The letters of this step and the steps before it, in the handbook's order."""
    kinds: list[str] = []
    for s in handbook().steps:
        kinds.extend(k for k in s.letters if k not in kinds)
        if s.id == step:
            break
    return [k for k in LETTER_KIND_ORDER if k in kinds]


def letter_file(case_no: str, row: LetterRow) -> Path:
    """Where a letter is written for Word or WPS: one folder per case in the data folder."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in case_no)
    folder = private_dir(data_dir() / "文书" / safe)  # applicants' personal data
    state = row.number or "草稿"
    name = f"{labels.letter_label(row.kind)}-{state}-{row.id}.docx"
    return folder / "".join(ch if ch not in '\\/:*?"<>|' else "_" for ch in name)


def replace_draft(session: Session, actor: User, letter_id: int, content: bytes) -> Result[Letter]:
    """Store an edited file as the draft, through the core's guarded operation."""
    # Imported on first use: the draft operations bring the Word code the window's first paint
    # does not need.
    from cases.actions.drafts import replace_draft as keep_edited_draft

    return keep_edited_draft(session, actor, letter_id, content)


class LetterTableModel(QAbstractTableModel):
    """The few letters of one case (a small list, held whole)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[LetterRow] = []
        self.people: dict[str, str] = {}

    def set_rows(self, rows: list[LetterRow], people: dict[str, str]) -> None:
        self.beginResetModel()
        self.rows, self.people = rows, people
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(HEADERS)
        ):
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                labels.letter_label(row.kind),
                labels.label(labels.LETTER_STATUSES, row.status),
                row.number or "",
                self.people.get(row.created_by, row.created_by),
                labels.local_time(row.created_at),
                labels.local_time(row.issued_at) if row.issued_at else "",
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and row.status == "issued":
            return "已发文：文书不可修改，打开的是只读副本"
        return None


Operation = Callable[[Session], object]


class LettersPanel(QWidget):
    """The letters tab of the case view."""

    def __init__(
        self,
        runner: OperationRunner,
        user: Callable[[], User | None],
        serve: Callable[[int], None],
        parent: QWidget | None = None,
        *,
        as_shown: Callable[[Operation], Operation] = lambda op: op,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._user = user
        self._serve = serve
        # The case view's guard: refuse the write if another desk changed the case meanwhile.
        self._as_shown = as_shown
        self._case_id: int | None = None
        self._case_no = ""
        self.opened: list[Path] = []  # files handed to the word processor (tests look here)
        self.model = LetterTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAccessibleName("文书列表")
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.kind = QComboBox()
        self.kind.setAccessibleName("文书种类")
        self.kind.setToolTip("选择要起草的文书")
        self.buttons: dict[str, QPushButton] = {}
        top = QHBoxLayout()
        top.addWidget(QLabel("起草："))
        top.addWidget(self.kind, 1)
        row = QHBoxLayout()
        for key, text, tip, fn in (
            ("draft", "生成初稿", "按模板和案件信息生成草稿，并用 Word 或 WPS 打开", self.draft),
            ("open", "打开", "用 Word 或 WPS 打开；已发文的文书以只读方式打开", self.open_selected),
            ("take", "取回修改稿", "把在 Word 或 WPS 中修改并保存的文件存为草稿", self.take_back),
            ("issue", "发文", "编号、填写日期并定稿；发文后不可修改", self.issue_selected),
            ("pdf", "打印/PDF", "转换为 PDF 并打开，以便打印", self.print_selected),
            ("serve", "登记送达", "登记这份文书的送达", self.serve_selected),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.setAccessibleName(text)
            button.clicked.connect(lambda _c=False, f=fn: f())
            self.buttons[key] = button
            (top if key == "draft" else row).addWidget(button)
        row.addStretch(1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        # Tests replace this to see what would be opened without starting a word processor.
        self.open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl

    # --- what the panel shows ---------------------------------------------------------------

    def show_case(self, case_id: int | None, case_no: str, step: str, enabled: bool) -> None:
        if case_id != self._case_id:
            self._say("")
        self._case_id, self._case_no = case_id, case_no
        if case_id is None:
            self.model.set_rows([], {})
            self.kind.clear()
            self._update_buttons()
            return
        rows = self._runner.read(lambda s: letter_rows(s, case_id))
        people = self._runner.read(_people)
        current = self.selected()
        self.model.set_rows(rows, people)
        kinds = draftable_kinds(step) if enabled else []
        chosen = self.kind.currentData()
        self.kind.clear()
        for kind in kinds:
            self.kind.addItem(labels.letter_label(kind), kind)
        if chosen is not None and (found := self.kind.findData(chosen)) >= 0:
            self.kind.setCurrentIndex(found)
        elif (reply := self.kind.findData("reply")) >= 0:
            self.kind.setCurrentIndex(reply)
        if current is not None:
            self.select_letter(current.id)
        self._update_buttons()

    def selected(self) -> LetterRow | None:
        index = self.table.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    def select_letter(self, letter_id: int) -> None:
        for n, row in enumerate(self.model.rows):
            if row.id == letter_id:
                self.table.selectRow(n)
                return

    def _update_buttons(self) -> None:
        row = self.selected()
        signed_in = self._user() is not None
        self.buttons["draft"].setEnabled(signed_in and self.kind.count() > 0)
        self.buttons["open"].setEnabled(row is not None)
        self.buttons["take"].setEnabled(signed_in and row is not None and row.status == "draft")
        self.buttons["issue"].setEnabled(signed_in and row is not None and row.status == "draft")
        self.buttons["pdf"].setEnabled(row is not None)
        self.buttons["serve"].setEnabled(signed_in and row is not None and row.status == "issued")

    def _say(self, text: str) -> None:
        self.message.setText(text)

    # --- doing ------------------------------------------------------------------------------

    def draft(self) -> None:
        user, case_no, kind = self._user(), self._case_no, self.kind.currentData()
        if user is None or self._case_id is None or kind is None:
            return
        case_id = self._case_id

        def op(s: Session) -> object:
            return actions.draft(s, user, case_no, str(kind))

        made = self._runner.write("生成初稿", self._as_shown(op), Changes.of_cases([case_id]))
        if made is None:
            return
        letter_id = made.id if isinstance(made, Letter) else int(made)
        self.select_letter(letter_id)
        self.open_selected()

    def _file_of(self, row: LetterRow) -> Path:
        path = letter_file(self._case_no, row)
        content = self._runner.read(lambda s: _content(s, row.id))
        if path.exists():
            os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
        if row.status == "issued" or not path.exists():
            path.write_bytes(content)
            private_file(path)
        if row.status == "issued":
            os.chmod(path, stat.S_IRUSR)  # as sent: read-only, and the user's eyes only
        return path

    def open_selected(self) -> Path | None:
        row = self.selected()
        if row is None:
            return None
        path = self._file_of(row)
        self.opened.append(path)
        self.open_url(QUrl.fromLocalFile(str(path)))
        how = "只读副本" if row.status == "issued" else "草稿"
        self._say(f"已打开{how}：{path}。修改后保存，再点“取回修改稿”。")
        return path

    def take_back(self, path: Path | None = None) -> bool:
        row, user = self.selected(), self._user()
        if row is None or user is None or self._case_id is None:
            return False
        source = path or letter_file(self._case_no, row)
        if path is None and not source.exists():
            chosen, _ = QFileDialog.getOpenFileName(
                self, "选择修改后的文书", "", "Word 文件 (*.docx)"
            )
            if not chosen:
                return False
            source = Path(chosen)
        content = source.read_bytes()
        done = self._runner.write(
            "取回修改稿",
            self._as_shown(lambda s: replace_draft(s, user, row.id, content)),
            Changes.of_cases([self._case_id]),
        )
        if done is None:
            return False
        self._say(f"已取回修改稿：{source.name}")
        return True

    def issue_selected(self) -> bool:
        row, user = self.selected(), self._user()
        if row is None or user is None or self._case_id is None:
            return False
        case_id = self._case_id

        def op(s: Session) -> object:
            return actions.issue(s, user, row.id)

        if self._runner.write("发文", self._as_shown(op), Changes.of_cases([case_id])) is None:
            return False
        self.select_letter(row.id)
        done = self.selected()
        number = f"，文号 {done.number}" if done is not None and done.number else ""
        self._say(f"已发文{number}。文书已定稿，不可再修改；可以打印或登记送达。")
        return True

    def print_selected(self) -> Path | None:
        row = self.selected()
        if row is None:
            return None
        from cases.documents import pdf  # when asked for: the case view is built before the paint

        if not pdf.available():
            self._say("本机没有安装 LibreOffice，无法转换 PDF；请在 Word 或 WPS 中打开后打印。")
            return None
        content = self._runner.read(lambda s: _content(s, row.id))
        target = letter_file(self._case_no, row).with_suffix(".pdf")
        try:
            if target.exists():
                os.chmod(target, stat.S_IWUSR | stat.S_IRUSR)
            target.write_bytes(pdf.docx_to_pdf(content))
            private_file(target)
        except (pdf.PdfUnavailable, pdf.PdfFailed, OSError) as exc:
            self._say(f"转换 PDF 失败：{exc}")
            return None
        self.opened.append(target)
        self.open_url(QUrl.fromLocalFile(str(target)))
        self._say(f"已生成 PDF：{target}")
        return target

    def serve_selected(self) -> None:
        row = self.selected()
        if row is not None and row.status == "issued":
            self._serve(row.id)


def _content(session: Session, letter_id: int) -> bytes:
    letter = session.get(Letter, letter_id)
    if letter is None:
        raise Refused("letter", f"找不到文书{letter_id}")
    return letter.content


def _people(session: Session) -> dict[str, str]:
    from sqlalchemy import select

    return {u.username: u.display_name for u in session.scalars(select(User))}
