"""Output formats: one registry (`registry`), their renderers (`results`, `rdf`) and the one
negotiation function (`negotiation`)."""
