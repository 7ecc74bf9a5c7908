"""The fairness criteria the teacher's penalty can enforce (``training.fairness_penalty``).

Kept free of torch so that the command line can list them without loading it.
"""

#: 'demographic_parity': the fair latent independent of the group; 'equalized_odds': inside
#: each target class; 'equal_opportunity': inside the positive class.
CRITERIA = ('demographic_parity', 'equalized_odds', 'equal_opportunity')


def check_criterion(criterion, target_spans, positive_class):
    """Raise ``ValueError`` unless ``criterion`` is known and the target allows it: the two
    criteria that compare groups inside the classes need one categorical target, and
    'equal_opportunity' the column of its positive class in the one-hot target."""
    from sdv_fairdistill.core.spans import CATEGORICAL  # here: this module stays free of torch

    if criterion not in CRITERIA:
        raise ValueError(
            f'Unknown fairness_criterion {criterion!r}; use one of {", ".join(CRITERIA)}.'
        )
    if criterion == 'demographic_parity':
        return
    if len(target_spans) != 1 or target_spans[0].kind != CATEGORICAL:
        raise ValueError(
            f'fairness_criterion={criterion!r} compares groups inside the classes of the '
            'target: it needs one categorical target.'
        )
    width = target_spans[0].width
    if criterion == 'equal_opportunity' and not (
        isinstance(positive_class, int) and 0 <= positive_class < width
    ):
        raise ValueError(
            "fairness_criterion='equal_opportunity' needs positive_class, the column of the "
            f'positive class in the one-hot target (0 to {width - 1}); got {positive_class!r}.'
        )
