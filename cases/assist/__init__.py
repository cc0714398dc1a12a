"""Smart handling: checks before sign-off, repeats, similar cases, the review and suit file."""
