"""Search tokens for every term length (unigrams and bigrams) and the indexes of every sort.

Each character of a case's description and number, and of an applicant's name, is indexed as a
unigram and each pair of neighbouring characters as a bigram, both spelt as the hex of their UTF-8
bytes (ASCII letters lowered, as SQLite's LIKE folds them). A 1-character term is one unigram; a
longer term is the phrase of its bigrams, which matches exactly where the term is a substring.
SQLite keeps them in contentless FTS5 tables filled by triggers; PostgreSQL in GIN expression
indexes over a tsvector of the same tokens. cases/search.py builds the queries.

Revision ID: 0006
Revises: 0005
Created: 2026-12-01
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# SQLite triggers cannot use WITH, so character positions come from a table. Text beyond the
# last position is not indexed; PostgreSQL's tsvector positions stop at 16,383 the same way.
MAX_POSITION = 100_000


def _uni(field: str) -> str:
    return (
        f"coalesce((SELECT group_concat(hex(lower(substr({field}, n, 1))), ' ') "
        f"FROM search_positions WHERE n <= length({field})), '')"
    )


def _bi(field: str) -> str:
    return (
        f"coalesce((SELECT group_concat(hex(lower(substr({field}, n, 2))), ' ') "
        f"FROM search_positions WHERE n < length({field})), '')"
    )


def _case_values(row: str) -> str:
    # 'x' is no hex token: a phrase cannot run from the description into the case number.
    return (
        f"{_uni(row + '.description')} || ' x ' || {_uni(row + '.no')}, "
        f"{_bi(row + '.description')} || ' x ' || {_bi(row + '.no')}"
    )


def _applicant_values(row: str) -> str:
    return f"{_uni(row + '.name')}, {_bi(row + '.name')}"


def _sqlite_up() -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS case_fts_au",
        "DROP TRIGGER IF EXISTS case_fts_ad",
        "DROP TRIGGER IF EXISTS case_fts_ai",
        "DROP TABLE IF EXISTS case_fts",
        "CREATE TABLE search_positions (n INTEGER PRIMARY KEY)",
        "WITH RECURSIVE p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p "
        f"WHERE n < {MAX_POSITION}) INSERT INTO search_positions SELECT n FROM p",
        "CREATE VIRTUAL TABLE search_case_terms USING fts5("
        "uni, bi, content='', columnsize=0, tokenize='ascii')",
        "CREATE VIRTUAL TABLE search_applicant_terms USING fts5("
        "uni, bi, content='', columnsize=0, tokenize='ascii')",
        "CREATE TRIGGER search_cases_ai AFTER INSERT ON cases BEGIN "
        "INSERT INTO search_case_terms(rowid, uni, bi) "
        f"VALUES (new.id, {_case_values('new')}); END",
        "CREATE TRIGGER search_cases_ad AFTER DELETE ON cases BEGIN "
        "INSERT INTO search_case_terms(search_case_terms, rowid, uni, bi) "
        f"VALUES ('delete', old.id, {_case_values('old')}); END",
        "CREATE TRIGGER search_cases_au AFTER UPDATE OF description, no ON cases BEGIN "
        "INSERT INTO search_case_terms(search_case_terms, rowid, uni, bi) "
        f"VALUES ('delete', old.id, {_case_values('old')}); "
        "INSERT INTO search_case_terms(rowid, uni, bi) "
        f"VALUES (new.id, {_case_values('new')}); END",
        "CREATE TRIGGER search_applicants_ai AFTER INSERT ON applicants BEGIN "
        "INSERT INTO search_applicant_terms(rowid, uni, bi) "
        f"VALUES (new.id, {_applicant_values('new')}); END",
        "CREATE TRIGGER search_applicants_ad AFTER DELETE ON applicants BEGIN "
        "INSERT INTO search_applicant_terms(search_applicant_terms, rowid, uni, bi) "
        f"VALUES ('delete', old.id, {_applicant_values('old')}); END",
        "CREATE TRIGGER search_applicants_au AFTER UPDATE OF name ON applicants BEGIN "
        "INSERT INTO search_applicant_terms(search_applicant_terms, rowid, uni, bi) "
        f"VALUES ('delete', old.id, {_applicant_values('old')}); "
        "INSERT INTO search_applicant_terms(rowid, uni, bi) "
        f"VALUES (new.id, {_applicant_values('new')}); END",
        "INSERT INTO search_case_terms(rowid, uni, bi) "
        f"SELECT c.id, {_case_values('c')} FROM cases AS c",
        "INSERT INTO search_applicant_terms(rowid, uni, bi) "
        f"SELECT a.id, {_applicant_values('a')} FROM applicants AS a",
    ]


SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_applicants_au",
    "DROP TRIGGER IF EXISTS search_applicants_ad",
    "DROP TRIGGER IF EXISTS search_applicants_ai",
    "DROP TRIGGER IF EXISTS search_cases_au",
    "DROP TRIGGER IF EXISTS search_cases_ad",
    "DROP TRIGGER IF EXISTS search_cases_ai",
    "DROP TABLE IF EXISTS search_applicant_terms",
    "DROP TABLE IF EXISTS search_case_terms",
    "DROP TABLE IF EXISTS search_positions",
    # Revision 0002's trigram table, as it was.
    "CREATE VIRTUAL TABLE case_fts USING fts5("
    "description, content='cases', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER case_fts_ai AFTER INSERT ON cases BEGIN "
    "INSERT INTO case_fts(rowid, description) VALUES (new.id, new.description); END",
    "CREATE TRIGGER case_fts_ad AFTER DELETE ON cases BEGIN "
    "INSERT INTO case_fts(case_fts, rowid, description) "
    "VALUES ('delete', old.id, old.description); END",
    "CREATE TRIGGER case_fts_au AFTER UPDATE OF description ON cases BEGIN "
    "INSERT INTO case_fts(case_fts, rowid, description) "
    "VALUES ('delete', old.id, old.description); "
    "INSERT INTO case_fts(rowid, description) VALUES (new.id, new.description); END",
    "INSERT INTO case_fts(case_fts) VALUES ('rebuild')",
]

# The tokens of one text starting at position `off` + 1, as 'token:position' tsvector entries.
# Only ASCII letters are lowered (translate), as on SQLite, so both backends find the same cases.
POSTGRES_TOKENS = """
CREATE FUNCTION search_tokens(t text, off integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(
    'u' || encode(convert_to(substr(s, n, 1), 'UTF8'), 'hex') || ':' || least(off + n, 16383)
    || CASE WHEN n < length(s) THEN
         ' b' || encode(convert_to(substr(s, n, 2), 'UTF8'), 'hex') || ':' || least(off + n, 16383)
       ELSE '' END,
    ' '), '')
  FROM (SELECT translate(coalesce(t, ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                         'abcdefghijklmnopqrstuvwxyz') AS s) AS lowered,
       generate_series(1, length(s)) AS n
$$
"""
# Two texts in one vector with a gap, so that no phrase runs from one into the other.
POSTGRES_TERMS = """
CREATE FUNCTION search_terms(a text, b text DEFAULT '') RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
  SELECT (search_tokens(a, 0) || ' ' || search_tokens(b, length(coalesce(a, '')) + 2))::tsvector
$$
"""
POSTGRES_UP = [
    "DROP INDEX IF EXISTS ix_cases_description_trgm",
    POSTGRES_TOKENS,
    POSTGRES_TERMS,
    "CREATE INDEX ix_search_cases_terms ON cases USING gin (search_terms(description, no))",
    "CREATE INDEX ix_search_applicants_terms ON applicants USING gin (search_terms(name))",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_search_applicants_terms",
    "DROP INDEX IF EXISTS ix_search_cases_terms",
    "DROP FUNCTION IF EXISTS search_terms(text, text)",
    "DROP FUNCTION IF EXISTS search_tokens(text, integer)",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_cases_description_trgm ON cases USING gin (description gin_trgm_ops)",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(_sqlite_up())
    elif dialect == "postgresql":
        _run(POSTGRES_UP)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(POSTGRES_DOWN)
