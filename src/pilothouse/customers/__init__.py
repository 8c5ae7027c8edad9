"""Customer voice: customers, contacts, segments, the feedback inbox, and the evidence
linking notes to features."""
