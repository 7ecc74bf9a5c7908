"""Sensitive groups: the sensitive columns as text, group names and the check that no
table has a group the real data lack (beyond what a split of the real rows explains)."""

from sdv_fairdistill.group_names import (
    GROUP_SEPARATOR,
    MISSING_GROUP,
    group_name_problem,
    value_text,
)
from sdv_fairdistill.metrics._values import shorten

#: A held-out group that ``reference`` lacks is measured where a random split of all the real
#: rows would leave every one of its rows out of ``reference`` at least this often.
SPLIT_CHANCE = 1e-4


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


def check_groups_known(frames, sensitive_columns, reference='real_data', held_out=()):
    """Check that no table has a sensitive group that ``reference`` does not have.

    The groups of the real data define the fairness measure, so a synthetic group outside
    them (missing values where the real data have none, another spelling, an
    intersectional combination the real data lack) is reported against the table that
    has it, with the column and the value, rather than as a group with 0 rows in the
    real data.

    Real rows held out from ``reference`` (``real_validation_data``) are where the
    downstream classifier is measured: a rare value that a split put only in them is a group
    of theirs like any other (the classifiers predict its rows; the group-size checks still
    apply). Such a group is refused only where its rows are too many for a split to have
    left them all out of ``reference`` by chance (``share ** rows < SPLIT_CHANCE``, ``share``
    the held-out table's part of the real rows): then it is a recoding ('F' -> 'Female'),
    which would be measured as a group no classifier learnt (every model looks fair).

    Args:
        frames (dict[str, pandas.DataFrame]):
            ``sensitive_frame`` of each table by name, including ``reference``.
        sensitive_columns (list[str]):
            The sensitive columns.
        held_out (iterable[str]):
            The names in ``frames`` of real rows held out from ``reference``.
    """
    known = frames[reference]
    for name, frame in frames.items():
        if name == reference:
            continue

        share = len(frame) / (len(frame) + len(known)) if name in held_out else 0.0
        for column in sensitive_columns:
            values = frame[column]
            unknown = _beyond_chance(
                values[~values.isin(set(known[column]))].value_counts(), share
            )
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
                f'{described}{_chance_note(share, reference)}; {fix}.'
            )

        if len(sensitive_columns) > 1:
            groups = group_names(frame)
            unknown = _beyond_chance(
                groups[~groups.isin(set(group_names(known)))].value_counts(), share
            )
            if not unknown.empty:
                described = ', '.join(
                    f'{group!r} ({count} rows)' for group, count in unknown.head(10).items()
                )
                raise ValueError(
                    f'{name} has groups of {" x ".join(sensitive_columns)} that {reference} '
                    f'does not have: {described}{_chance_note(share, reference)}. Drop those '
                    f'rows of {name}, or use fewer sensitive columns.'
                )


def _beyond_chance(counts, share):
    """The unknown groups (rows per group) that a split giving the held-out table ``share``
    of the real rows would leave wholly out of the reference less often than ``SPLIT_CHANCE``
    (all of them when ``share`` is 0: not a held-out table)."""
    return counts[share ** counts.astype(float) < SPLIT_CHANCE]


def _chance_note(share, reference):
    """Why a held-out table's unknown group is refused: a split does not explain it."""
    if not share:
        return ''
    return (f' (more rows than a split that holds out {share:.0%} of the real rows leaves out '
            f'of {reference} by chance)')


def group_names(frame):
    """Return one group name per row: the value, or the joined values when intersectional."""
    if frame.shape[1] == 1:
        return frame.iloc[:, 0]

    return frame.agg(GROUP_SEPARATOR.join, axis=1)
