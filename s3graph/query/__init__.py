"""The read side: check a query (`guard`), find canned queries (`catalog`) and regions
(`regions`), run it on an engine (`engines`: registry of oxigraph, rdflib) under a
deadline (`executors`)."""
