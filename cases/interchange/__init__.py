"""Cases in and out: exchange records, JSON Lines, the Excel ledger and its mapping, bulk writes."""
