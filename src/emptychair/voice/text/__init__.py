"""Reading customer verbatims: normalisation, language, clauses, redaction."""
