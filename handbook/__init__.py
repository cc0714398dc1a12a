"""The standard procedure (标准化业务手册) as data: steps, roles, outcomes, citations, guidance."""
