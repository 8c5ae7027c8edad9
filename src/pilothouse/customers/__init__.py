"""Customer voice: customers, contacts, segments, the feedback inbox, evidence linking notes to features."""
