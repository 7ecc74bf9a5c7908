"""The names of the fairness criteria and of the forms their values take, shared by the
rates (``_rates.py``) and the group checks (``_group_checks.py``)."""

DEMOGRAPHIC_PARITY = 'demographic_parity'
EQUALIZED_ODDS = 'equalized_odds'
EQUAL_OPPORTUNITY = 'equal_opportunity'
DIFFERENCE = 'difference'
RATIO = 'ratio'
_CRITERION_NAMES = {
    DEMOGRAPHIC_PARITY: 'demographic parity',
    EQUALIZED_ODDS: 'equalized odds',
    EQUAL_OPPORTUNITY: 'equal opportunity',
}
