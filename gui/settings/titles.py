"""The settings page's sections as the 设置 menu lists them: key and title, in their order.

Apart from the sections themselves, so that the menu, made before the window's first paint, does
not load their code (five modules and the holiday import's, 4–6 ms of start-up).
"""

from __future__ import annotations

SECTION_TITLES: dict[str, str] = {
    "profile": "机关信息与答复机关",
    "users": "用户和角色",
    "calendar": "工作日历",
    "templates": "文书模板",
    "rules": "提醒和编号",
}
