"""Personal-data rights: access export, erasure, suppression, retention, restriction, consent registry, pseudonymised exports."""
