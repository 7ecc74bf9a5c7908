"""Sensitive groups: the sensitive columns as text, group names and the check that no
table has a group the real data lack."""

from sdv_fairdistill.group_names import (
    GROUP_SEPARATOR,
    MISSING_GROUP,
    group_name_problem,
    value_text,
)
from sdv_fairdistill.metrics._values import shorten

def sensitive_frame(table, sensitive_columns):
    """Return the sensitive columns as text, missing values as the group ``'(missing)'``.

    Text makes the groups of different tables comparable (an integer column read back as
    float gives the same groups, see ``value_text``) and lets a missing value be a group of its
    own instead of silently dropping its rows. Distinct values that would share a name
    (``1`` and ``'1'``) raise a ValueError rather than merge (``group_name_problem``).
    """
    problem = group_name_problem(table, sensitive_columns)
    if problem:
        raise ValueError(problem)
    frame = table[sensitive_columns].astype('object')
    frame = frame.apply(lambda column: column.map(value_text)).where(frame.notna(), MISSING_GROUP)
    return frame.reset_index(drop=True)


def check_groups_known(frames, sensitive_columns, reference='real_data'):
    """Check that no table has a sensitive group that ``reference`` does not have.

    The groups of the real data define the fairness measure, so a synthetic group outside
    them (missing values where the real data have none, another spelling, an
    intersectional combination the real data lack) is reported against the table that
    has it, with the column and the value, rather than as a group with 0 rows in the
    real data.

    Args:
        frames (dict[str, pandas.DataFrame]):
            ``sensitive_frame`` of each table by name, including ``reference``.
        sensitive_columns (list[str]):
            The sensitive columns.
    """
    known = frames[reference]
    for name, frame in frames.items():
        if name == reference:
            continue

        for column in sensitive_columns:
            values = frame[column]
            unknown = values[~values.isin(set(known[column]))].value_counts()
            if unknown.empty:
                continue

            described = ', '.join(
                f'{value!r} ({count} rows)' for value, count in unknown.head(10).items()
            )
            if len(unknown) > 10:
                described += f', ... ({len(unknown) - 10} more)'
            if MISSING_GROUP in unknown.index:
                fix = (
                    f'{name}[{column!r}] has missing values where {reference} has none: '
                    f'drop or fill those rows of {name}'
                )
            else:
                fix = (
                    f'map them to the values of {reference}[{column!r}] '
                    f'({shorten(sorted(set(known[column])))}) or drop those rows of {name}'
                )
            raise ValueError(
                f'{name}[{column!r}] has sensitive values that {reference} does not have: '
                f'{described}; {fix}.'
            )

        if len(sensitive_columns) > 1:
            groups = group_names(frame)
            unknown = groups[~groups.isin(set(group_names(known)))].value_counts()
            if not unknown.empty:
                described = ', '.join(
                    f'{group!r} ({count} rows)' for group, count in unknown.head(10).items()
                )
                raise ValueError(
                    f'{name} has groups of {" x ".join(sensitive_columns)} that {reference} '
                    f'does not have: {described}. Drop those rows of {name}, or use fewer '
                    'sensitive columns.'
                )


def group_names(frame):
    """Return one group name per row: the value, or the joined values when intersectional."""
    if frame.shape[1] == 1:
        return frame.iloc[:, 0]

    return frame.agg(GROUP_SEPARATOR.join, axis=1)
