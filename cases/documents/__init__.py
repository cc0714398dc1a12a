"""What the office sends and publishes: letters, their wording, the annual report, statistics."""
