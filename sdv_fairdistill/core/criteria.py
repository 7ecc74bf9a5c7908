"""The fairness criteria the teacher's penalty can enforce (``training.fairness_penalty``).

Kept free of torch so that the command line can list them without loading it.
"""

#: 'demographic_parity': the fair latent independent of the group; 'equalized_odds': inside
#: each target class; 'equal_opportunity': inside the positive class.
CRITERIA = ('demographic_parity', 'equalized_odds', 'equal_opportunity')
