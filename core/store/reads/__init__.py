"""The query layer's reads, one module per concern: documents (filters, pages, one document,
bulk reads for exports), clusters, entities and run figures. :class:`textmill.query.Query`
puts them together."""
