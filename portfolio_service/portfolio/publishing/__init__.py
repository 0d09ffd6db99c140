"""Publishing: schedules, drafts, revisions, preview links (section 8 of the contract)."""
