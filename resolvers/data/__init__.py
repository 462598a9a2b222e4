"""The data layer: the single DynamoDB table, designed from the access patterns, one module per domain.

`table.py` holds what every domain shares (the client, item keys, (de)serialization, opaque
page tokens, Query pages, batch reads and writes, transactions); each other module owns the
items of one domain and imports `table.py` (and `listings.py` where a write moves catalog
index keys). Every read on a request path is a GetItem, a Query or a BatchGetItem, never a
Scan. Items come back as plain dicts of GraphQL-shaped attributes, numbers as int.
`resolvers/table_layout.py` documents each index next to the access pattern it serves.
"""
