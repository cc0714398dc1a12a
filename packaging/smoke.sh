#!/usr/bin/env bash
# Smoke test of the one-folder build: the frozen program, not the checkout, runs its commands on
# a database it creates and opens its window offscreen. `make dist-smoke` and .ci/run call it.
# Outputs go to files before they are searched: `cmd | grep -q` can fail under pipefail.
set -euo pipefail
DIST=${1:-dist/disclosure-desk}
EXE="$DIST/disclosure-desk"
[ -x "$EXE" ] || { echo "冒烟测试：找不到 $EXE（先运行 make dist）" >&2; exit 1; }

WORK=$(mktemp -d /tmp/dd-smoke.XXXXXX)
WINDOW_PID=""
cleanup() {
    if [ -n "$WINDOW_PID" ]; then kill "$WINDOW_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
export DISCLOSURE_DESK_HOME="$WORK/home" QT_QPA_PLATFORM=offscreen
unset DISCLOSURE_DESK_DB
DB="$WORK/office.sqlite"
step() { echo "冒烟测试：$*"; }

step "命令行帮助为中文"
"$EXE" --help >"$WORK/help.txt"
grep -q "用法：disclosure-desk" "$WORK/help.txt"

step "demo 建库（迁移随包）并生成案件"
"$EXE" --db "$DB" demo --cases 40 --seed 7 >/dev/null

step "工作日历、导出、文书（模板随包）、年度报告、核验"
"$EXE" --db "$DB" holidays list --year 2025 >"$WORK/holidays.txt"
grep -q "元旦" "$WORK/holidays.txt"
"$EXE" --db "$DB" export "$WORK/all.jsonl" >/dev/null
read -r CASE YEAR < <(python3 -c 'import json, sys
first = json.loads(open(sys.argv[1], encoding="utf-8").readline())
print(first["no"], first["received"][:4])' "$WORK/all.jsonl")
"$EXE" --db "$DB" letter "$CASE" receipt --out "$WORK/receipt.docx" >/dev/null
[ -s "$WORK/receipt.docx" ]
"$EXE" --db "$DB" report --year "$YEAR" --out "$WORK/report.json" >/dev/null
grep -q '"table3"' "$WORK/report.json"
# A demo database's report carries its note in the page header: python-docx reads the header's
# template beside its own modules (docx/parts/../templates), which the archive alone lacks.
"$EXE" --db "$DB" report --year "$YEAR" --out "$WORK/report.docx" >/dev/null
[ -s "$WORK/report.docx" ]
"$EXE" --db "$DB" verify >/dev/null

step "缺少的备份文件：退出码 2"
status=0
"$EXE" --db "$DB" restore "$WORK/no-such-backup.sqlite" --yes 2>/dev/null || status=$?
[ "$status" -eq 2 ] || { echo "restore 缺少文件的退出码是 $status，应为 2" >&2; exit 1; }

step "窗口在 offscreen 平台上启动并保持运行"
"$EXE" --db "$DB" >"$WORK/window.out" 2>"$WORK/window.err" &
WINDOW_PID=$!
sleep "${DD_SMOKE_WINDOW_SECONDS:-15}"
if ! kill -0 "$WINDOW_PID" 2>/dev/null; then
    echo "窗口进程提前退出：" >&2
    cat "$WORK/window.err" >&2
    exit 1
fi
kill "$WINDOW_PID"
wait "$WINDOW_PID" 2>/dev/null || true
WINDOW_PID=""
if grep -q -i "qt.qpa\|could not load\|traceback" "$WORK/window.err"; then
    cat "$WORK/window.err" >&2
    exit 1
fi
echo "冒烟测试通过：$EXE"
