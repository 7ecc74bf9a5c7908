"""The curated SDV metadata of a bundled table, from the columns each sdtype names."""

from sdv.metadata import Metadata


def curated_metadata(table_name, columns, numerical=(), boolean=()):
    """SDV ``Metadata`` of one table: ``numerical`` and ``boolean`` columns as named, every
    other column categorical."""

    def sdtype(column):
        if column in numerical:
            return 'numerical'
        return 'boolean' if column in boolean else 'categorical'

    return Metadata.load_from_dict({
        'tables': {table_name: {'columns': {c: {'sdtype': sdtype(c)} for c in columns}}}
    })
