"""The case database: models, opening and migrating, audit chain, locks, backups, copying."""
