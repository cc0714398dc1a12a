"""Search tokens for every term length (unigrams and bigrams) and the indexes of every sort.

Each character of a case's description and number, and of an applicant's name, is indexed as a
unigram and each pair of neighbouring characters as a bigram, both spelt as the hex of their UTF-8
bytes (ASCII letters lowered, as SQLite's LIKE folds them). A 1-character term is one unigram; a
longer term is the phrase of its bigrams, which matches exactly where the term is a substring.
SQLite keeps them in contentless FTS5 tables filled by triggers; PostgreSQL in GIN expression
indexes over a tsvector of the same tokens. cases/query/search.py builds the queries.

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


def _grams(field: str, size: int) -> str:
    """Every unigram (size 1) or bigram (size 2) of a text, space-separated, in text order."""
    last = "<=" if size == 1 else "<"
    return (
        f"coalesce((SELECT group_concat(hex(lower(substr({field}, n, {size}))), ' ') "
        f"FROM search_positions WHERE n {last} length({field})), '')"
    )


def _suffixes(field: str) -> str:
    """Every suffix of a text: a term is a prefix of one of them wherever it is a substring."""
    return (
        f"coalesce((SELECT group_concat(hex(lower(substr({field}, n))), ' ') "
        f"FROM search_positions WHERE n <= length({field})), '')"
    )


def _case_values(row: str) -> str:
    description, number = row + ".description", row + ".no"
    return (
        f"{_grams(description, 1)}, {_grams(description, 2)}, "
        f"{_grams(number, 1)}, {_grams(number, 2)}, {_suffixes(number)}"
    )


def _applicant_values(row: str) -> str:
    return f"{_grams(row + '.name', 1)}, {_grams(row + '.name', 2)}"


CASE_COLUMNS = "d_uni, d_bi, n_uni, n_bi, n_suf"
APPLICANT_COLUMNS = "uni, bi"


def _sqlite_up() -> list[str]:
    cases, applicants = CASE_COLUMNS, APPLICANT_COLUMNS
    return [
        "DROP TRIGGER IF EXISTS case_fts_au",
        "DROP TRIGGER IF EXISTS case_fts_ad",
        "DROP TRIGGER IF EXISTS case_fts_ai",
        "DROP TABLE IF EXISTS case_fts",
        "CREATE TABLE search_positions (n INTEGER PRIMARY KEY)",
        "WITH RECURSIVE p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p "
        f"WHERE n < {MAX_POSITION}) INSERT INTO search_positions SELECT n FROM p",
        f"CREATE VIRTUAL TABLE search_case_terms USING fts5({cases}, "
        "content='', columnsize=0, tokenize='ascii')",
        f"CREATE VIRTUAL TABLE search_applicant_terms USING fts5({applicants}, "
        "content='', columnsize=0, tokenize='ascii')",
        "CREATE TRIGGER search_cases_ai AFTER INSERT ON cases BEGIN "
        f"INSERT INTO search_case_terms(rowid, {cases}) "
        f"VALUES (new.id, {_case_values('new')}); END",
        "CREATE TRIGGER search_cases_ad AFTER DELETE ON cases BEGIN "
        f"INSERT INTO search_case_terms(search_case_terms, rowid, {cases}) "
        f"VALUES ('delete', old.id, {_case_values('old')}); END",
        "CREATE TRIGGER search_cases_au AFTER UPDATE OF description, no ON cases BEGIN "
        f"INSERT INTO search_case_terms(search_case_terms, rowid, {cases}) "
        f"VALUES ('delete', old.id, {_case_values('old')}); "
        f"INSERT INTO search_case_terms(rowid, {cases}) "
        f"VALUES (new.id, {_case_values('new')}); END",
        "CREATE TRIGGER search_applicants_ai AFTER INSERT ON applicants BEGIN "
        f"INSERT INTO search_applicant_terms(rowid, {applicants}) "
        f"VALUES (new.id, {_applicant_values('new')}); END",
        "CREATE TRIGGER search_applicants_ad AFTER DELETE ON applicants BEGIN "
        f"INSERT INTO search_applicant_terms(search_applicant_terms, rowid, {applicants}) "
        f"VALUES ('delete', old.id, {_applicant_values('old')}); END",
        "CREATE TRIGGER search_applicants_au AFTER UPDATE OF name ON applicants BEGIN "
        f"INSERT INTO search_applicant_terms(search_applicant_terms, rowid, {applicants}) "
        f"VALUES ('delete', old.id, {_applicant_values('old')}); "
        f"INSERT INTO search_applicant_terms(rowid, {applicants}) "
        f"VALUES (new.id, {_applicant_values('new')}); END",
        f"INSERT INTO search_case_terms(rowid, {cases}) "
        f"SELECT c.id, {_case_values('c')} FROM cases AS c",
        f"INSERT INTO search_applicant_terms(rowid, {applicants}) "
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

# The same tokens as tsvector entries: unigrams and bigrams with their positions (phrases need
# them) under one-letter prefixes per text, and the case number's suffixes for prefix queries.
# Only ASCII letters are lowered (translate), as on SQLite, so both backends find the same cases.
POSTGRES_GRAMS = """
CREATE FUNCTION search_grams(t text, uni text, bi text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(
    uni || encode(convert_to(substr(s, n, 1), 'UTF8'), 'hex') || ':' || least(n, 16383)
    || CASE WHEN n < length(s) THEN
         ' ' || bi || encode(convert_to(substr(s, n, 2), 'UTF8'), 'hex') || ':' || least(n, 16383)
       ELSE '' END,
    ' '), '')
  FROM (SELECT translate(coalesce(t, ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                         'abcdefghijklmnopqrstuvwxyz') AS s) AS lowered,
       generate_series(1, length(s)) AS n
$$
"""
POSTGRES_SUFFIXES = """
CREATE FUNCTION search_suffixes(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg('s' || encode(convert_to(substr(s, n), 'UTF8'), 'hex'), ' '), '')
  FROM (SELECT translate(coalesce(t, ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                         'abcdefghijklmnopqrstuvwxyz') AS s) AS lowered,
       generate_series(1, length(s)) AS n
$$
"""
POSTGRES_TERMS = """
CREATE FUNCTION search_terms(description text, no text DEFAULT '') RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
  SELECT (search_grams(description, 'u', 'b') || ' ' || search_grams(no, 'x', 'y')
          || ' ' || search_suffixes(no))::tsvector
$$
"""
POSTGRES_UP = [
    "DROP INDEX IF EXISTS ix_cases_description_trgm",
    POSTGRES_GRAMS,
    POSTGRES_SUFFIXES,
    POSTGRES_TERMS,
    "CREATE INDEX ix_search_cases_terms ON cases USING gin (search_terms(description, no))",
    "CREATE INDEX ix_search_applicants_terms ON applicants USING gin (search_terms(name))",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_search_applicants_terms",
    "DROP INDEX IF EXISTS ix_search_cases_terms",
    "DROP FUNCTION IF EXISTS search_terms(text, text)",
    "DROP FUNCTION IF EXISTS search_suffixes(text)",
    "DROP FUNCTION IF EXISTS search_grams(text, text, text)",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_cases_description_trgm ON cases USING gin (description gin_trgm_ops)",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


# The first screen of every sort walks one of these (cases/query/caselist.py says which).
SORT_INDEXES = [
    ("ix_cases_channel_received", "cases", ["channel", "received"]),
    ("ix_cases_step_received", "cases", ["step", "received"]),
    ("ix_cases_handler", "cases", ["handler"]),
    ("ix_cases_applicant_received", "cases", ["applicant_id", "received"]),
    ("ix_applicants_type", "applicants", ["type"]),
]


def upgrade() -> None:
    for name, table, columns in SORT_INDEXES:
        op.create_index(name, table, columns)
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(_sqlite_up())
    elif dialect == "postgresql":
        _run(POSTGRES_UP)


def downgrade() -> None:
    for name, table, _ in reversed(SORT_INDEXES):
        op.drop_index(name, table_name=table)
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(POSTGRES_DOWN)
