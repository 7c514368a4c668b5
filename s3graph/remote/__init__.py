"""An existing SPARQL 1.1 store behind s3graph: `publish` writes a build into it, `serve --backend` reads it."""
