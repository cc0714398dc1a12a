"""Screenshots of the report, statistics, settings, import and backups windows on demo data
(`make screenshots`), written to docs/screenshots/ as 1x-*.png at 1366×768."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shots import SIZE, start

HOLIDAYS_2027 = """year,2027
2027-01-01,休,元旦
2027-02-06,休,春节
2027-02-07,休,春节
2027-02-08,休,春节
2027-02-09,休,春节
2027-02-10,休,春节
2027-02-11,休,春节
2027-02-12,休,春节
2027-02-13,班,春节调休
2027-04-05,休,清明节
2027-05-01,休,劳动节
2027-05-03,休,劳动节
2027-05-04,休,劳动节
2027-05-05,休,劳动节
2027-06-09,休,端午节
2027-09-15,休,中秋节
2027-10-01,休,国庆节
2027-10-04,休,国庆节
2027-10-05,休,国庆节
2027-10-06,休,国庆节
2027-10-07,休,国庆节
"""


def main() -> int:
    home, _app, shot = start("dd-shots2-")  # the application lives as long as main

    from PySide6.QtCore import QEventLoop

    from cases.office import users
    from cases.sample import demo
    from cases.storage import store
    from cases.storage.store import open_store
    from gui import menus
    from gui.importexport import ImportDialog
    from gui.mainwindow import MainWindow
    from gui.operations import OperationRunner
    from gui.settings.calendar import PreviewDialog

    today = dt.date.today()

    db = open_store(home / "cases.sqlite")
    with db.transaction() as s:
        demo.generate(s, 2000, seed=11, today=today, years=(today.year - 1, today.year))
        admin = users.create_user(
            s, None, username="admin", display_name="陈管理", roles=["admin", "reviewer"],
            password="admin-123",
        ).value  # fmt: skip
        users.create_user(
            s, admin, username="wang", display_name="王承办", roles=["handler"],
            password="password-1",
        )  # fmt: skip
        s.flush()
        s.refresh(admin)
        s.expunge(admin)
    store.backup_sqlite(db)

    window = MainWindow(db, user=admin, today=lambda: today)
    menus.install(window)
    window.resize(*SIZE)
    window.show()
    window.model.wait()
    window.show_pending_counts()
    window.show_page(menus.REPORT_PAGE)  # a menu page is built when first shown
    report: Any = window.page(menus.REPORT_PAGE)
    report.year.setValue(today.year - 1)
    report.show_cell(("三、本年度办理结果", "（一）予以公开"), "自然人")
    shot(window, "10-annual-report-table3")
    report.tabs.setCurrentIndex(1)
    shot(window, "11-annual-report-table4")
    report.tabs.setCurrentIndex(2)
    shot(window, "12-annual-report-table2")
    report.tabs.setCurrentIndex(3)
    shot(window, "13-annual-report-checks")

    window.show_page(menus.STATS_PAGE)
    stats: Any = window.page(menus.STATS_PAGE)
    for i, name in enumerate(("monthly", "outcomes", "units", "overdue", "reply-days", "reviews")):
        stats.tabs.setCurrentIndex(i)
        shot(window, f"14-stats-{i + 1}-{name}")

    window.show_page(menus.SETTINGS_PAGE)
    settings = menus.settings_page(window)
    for i, (key, _title) in enumerate(settings.sections()):
        settings.show_section(key)
        shot(window, f"15-settings-{i + 1}-{key}")

    schedule = home / "2027.txt"
    schedule.write_text(HOLIDAYS_2027, encoding="utf-8")
    plan = settings.calendar.plan_import(schedule)
    if plan is not None:
        preview = PreviewDialog(plan, window)
        preview.show()
        shot(preview, "16-holiday-import-preview")
        preview.close()

    bad = home / "台账.xlsx"
    from cases.interchange import ledger

    with db.session() as s:
        ledger.export_ledger(s, bad, today.year)
    import openpyxl

    book = openpyxl.load_workbook(bad)
    sheet = book[ledger.CASES]
    header = [c.value for c in sheet[1]]
    sheet.cell(3, header.index("收到日期") + 1, "去年某日")
    sheet.cell(5, header.index("申请人类型") + 1, "外星人")
    book.save(bad)
    book.close()
    # Into a new office's empty database, as when it first brings its ledger over.
    other = open_store(home / "new-office.sqlite")
    with other.transaction() as s:
        clerk = users.create_user(
            s, None, username="admin", display_name="新管理", roles=["admin"],
            password="admin-123",
        ).value  # fmt: skip
        s.flush()
        s.refresh(clerk)
        s.expunge(clerk)
    dialog = ImportDialog(OperationRunner(other), clerk, bad, window)
    dialog.show()
    task = dialog.preview()
    if task is not None and task.state == "running":
        waiting = QEventLoop()
        task.done.connect(waiting.quit)
        waiting.exec()
    shot(dialog, "17-import-refused")
    dialog.close()

    town = home / "某镇台账.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2025年登记"
    sheet.append(["某镇政府信息公开申请登记表"])
    sheet.append(
        ["序号", "受理日期", "申请人姓名", "申请公开内容", "申请渠道", "联系电话", "经办备注"]
    )
    sheet.append([1, "2025-03-03", "张三", "申请公开某地块征收补偿方案", "当面", "13800000000", ""])
    sheet.append([2, "2025年3月5日", "李四", "申请公开某道路规划许可", "网上申请", "", "加急"])
    book.save(town)
    book.close()
    mapped = ImportDialog(OperationRunner(other), clerk, town, window)
    mapped.resize(900, 680)
    mapped.show()
    task = mapped.preview()
    if task is not None and task.state == "running":
        waiting = QEventLoop()
        task.done.connect(waiting.quit)
        waiting.exec()
    shot(mapped, "19-import-mapping")
    mapped.close()

    backups = menus.backups(window)
    shot(backups, "18-backups")
    backups.close()
    window.model.wait()
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
