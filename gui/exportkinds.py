"""What the 文件 › 导出 menu offers: kind → (title, default file name, file filter)."""

from __future__ import annotations

# Apart from gui/importexport.py, whose Excel code the menu need not load before it is used.
EXPORTS = {
    "ledger": ("导出台账", "台账.xlsx", "Excel 台账 (*.xlsx)"),
    "exchange": ("导出交换文件", "案件.jsonl", "交换文件 (*.jsonl)"),
    "template": ("导出空白台账模板", "台账模板.xlsx", "Excel 台账 (*.xlsx)"),
}
